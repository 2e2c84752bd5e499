"""What operators run and watch: health probes, Prometheus metrics, structured logs, request
ids, and the embedded PostgreSQL and Redis for machines that have neither."""
