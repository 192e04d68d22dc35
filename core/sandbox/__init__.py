"""Local SP-API sandbox: an HTTP server on 127.0.0.1 speaking Amazon's wire format (see server.py, README)."""
