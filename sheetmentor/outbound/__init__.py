"""The outbound stage: messages built, planned, sent and recorded exactly once."""
