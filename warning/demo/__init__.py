"""The offline demo: the whole pipeline on a bundled sample, its loopback mirror, the sample writer."""
