"""Response-time metrics: the ledger of response intervals, how it is recorded and rebuilt,
business hours, SLA targets, the filters every figure takes, and the reads behind the dashboard."""
