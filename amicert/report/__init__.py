"""Reports: the certification summary (JSON, Markdown) and the evidence files of every exchange."""
