"""Health of the installation: database, Redis and job workers."""
