"""The render stage: figures and memory into text, HTML, JSON, CSV, PNG and .ics."""
