"""The unattended service: the job table, the scheduler, the runner, status and logging."""
