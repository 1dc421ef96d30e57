{{/* The spec's alerts (requirements 9.5) and the reconciler's: rule groups for a PrometheusRule and for Prometheus' own rule file. */}}
{{- define "booking-rush.alertRules" -}}
groups:
  - name: booking-rush
    rules:
      - alert: BookingRushHighErrorRate
        expr: sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m])) > 0.01
        for: 5m
        labels: { severity: critical }
        annotations:
          summary: "More than 1% of {{ "{{ $labels.service }}" }}'s requests fail (5xx)"
      - alert: BookingRushHighLatency
        expr: histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5
        for: 5m
        labels: { severity: warning }
        annotations:
          summary: "p99 latency of {{ "{{ $labels.service }}" }} above 500 ms"
      - alert: BookingRushServiceDown
        expr: up{namespace="{{ .Release.Namespace }}"} == 0
        for: 1m
        labels: { severity: critical }
        annotations:
          summary: "{{ "{{ $labels.pod }}" }} does not answer its /metrics scrape"
      - alert: BookingRushLowStock
        expr: inventory_seats{state="available"} / inventory_seats{state="total"} < 0.1
        for: 1m
        labels: { severity: warning }
        annotations:
          summary: "Zone {{ "{{ $labels.zone }}" }} has less than 10% of its seats left"
      - alert: BookingRushQueueBacklog
        expr: max by (group, topic) (kafka_consumer_lag) > 10000
        for: 5m
        labels: { severity: warning }
        annotations:
          summary: "Consumer group {{ "{{ $labels.group }}" }} is more than 10,000 messages behind on {{ "{{ $labels.topic }}" }}"
      - alert: BookingRushRedisHighMemory
        expr: redis_memory_used_bytes / redis_memory_max_bytes > 0.8
        for: 5m
        labels: { severity: warning }
        annotations:
          summary: "Redis uses more than 80% of its memory (redis_exporter)"
      - alert: BookingRushInventoryDiscrepancy
        expr: max by (zone) (inventory_discrepancy) > 0
        for: 2m
        labels: { severity: critical }
        annotations:
          summary: "Redis and PostgreSQL disagree about zone {{ "{{ $labels.zone }}" }} at the same sequence"
{{- end -}}
