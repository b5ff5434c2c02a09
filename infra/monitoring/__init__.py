"""What operators scrape, alert on and chart: the metric catalogue, Prometheus rules, a Grafana dashboard.

Only data and the catalogue live here; no process imports this package.
"""
