"""Files: uploads, content checks, and URLs that serve them (through the files port)."""
