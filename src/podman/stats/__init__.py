"""Download counts from the producer's own access logs, by the IAB Tech Lab podcast guidelines."""
