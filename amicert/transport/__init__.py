"""Wire transport: SOAP 1.1 envelopes, the HTTP client and the harness-hosted HTTP server."""
