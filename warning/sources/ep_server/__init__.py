"""The EPO's European Publication Server: EP A and B documents as XML."""
