{{/* The spec's alerts (requirements 9.5), the reconciler's and the silent-failure ones: rule groups for a PrometheusRule and for Prometheus' own rule file. Unit-tested with promtool (charts/test/alert-rules.test.ts). */}}
{{- define "booking-rush.alertRules" -}}
{{- /* Probes and scrapes are not user traffic: a slow /metrics must not page anyone as latency. */}}
{{- $userRoutes := `route!~"/metrics|/healthz|/readyz"` }}
groups:
  - name: booking-rush
    rules:
      - alert: BookingRushHighErrorRate
        expr: sum by (service) (rate(http_requests_total{status=~"5..",{{ $userRoutes }}}[5m])) / sum by (service) (rate(http_requests_total{ {{- $userRoutes -}} }[5m])) > 0.01
        for: 5m
        labels: { severity: critical }
        annotations:
          summary: "More than 1% of {{ "{{ $labels.service }}" }}'s requests fail (5xx)"
      - alert: BookingRushHighLatency
        expr: histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket{ {{- $userRoutes -}} }[5m]))) > 0.5
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
        # Every booking replica exports the same stock, read from Redis: `max by (zone)` makes it one
        # series (one alert) per zone, and leaves both sides with the zone alone, so they match without
        # `state`. A zone of no seats is not "low".
        expr: max by (zone) (inventory_seats{state="available"}) / (max by (zone) (inventory_seats{state="total"}) > 0) < 0.1
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
        # Read from the master's INFO by the booking service (services/lib/src/clients/redis-memory.ts);
        # maxmemory 0 means no limit, so nothing to compare with.
        expr: redis_memory_used_bytes / (redis_memory_max_bytes > 0) > 0.8
        for: 5m
        labels: { severity: warning }
        annotations:
          summary: "Redis uses more than 80% of its maxmemory"
      - alert: BookingRushInventoryDiscrepancy
        # Recorded in Redis by each reconciliation, exported alike by every booking replica: one per zone.
        expr: max by (zone) (inventory_discrepancy) > 0
        for: 2m
        labels: { severity: critical }
        annotations:
          summary: "Redis and PostgreSQL disagree about zone {{ "{{ $labels.zone }}" }} at the same sequence"
      - alert: BookingRushMetricsStale
        # A value the process samples in the background (consumer lag, Redis memory...) has not been refreshed.
        expr: max by (service, source) (metrics_sample_age_seconds) > 120
        for: 2m
        labels: { severity: warning }
        annotations:
          summary: "{{ "{{ $labels.service }}" }} has not refreshed {{ "{{ $labels.source }}" }} for more than 2 minutes"
  - name: booking-rush-silent-failures
    rules:
      - alert: BookingRushReconcilerFailing
        # Every run fails (or none runs): the last successful one, recorded in Redis by the reconciler
        # and exported by the booking service (a CronJob's own process is gone before any scrape).
        expr: time() - max(reconciler_last_success_timestamp_seconds) > 900
        for: 5m
        labels: { severity: critical }
        annotations:
          summary: "No reconciliation run has succeeded for more than 15 minutes"
      - alert: BookingRushProjectorStalled
        # The projector's lag grew over 10 minutes and it applied nothing for 10 minutes (or never).
        expr: (time() - max(projector_last_applied_timestamp_seconds) > 600) and on () (max(delta(kafka_consumer_lag{service="projector"}[10m])) > 0)
        for: 5m
        labels: { severity: critical }
        annotations:
          summary: "The projector applies nothing while its consumer lag grows: PostgreSQL's bookings fall behind"
      - alert: BookingRushQueueAdmitterStalled
        # Only the leading admitter steps (and stamps); every replica of it down or stuck, or none
        # leading, leaves waiting rooms full of buyers nobody admits.
        expr: time() - max(queue_admitter_last_step_timestamp_seconds) > 120
        for: 2m
        labels: { severity: critical }
        annotations:
          summary: "No queue-admitter has completed an admission step for minutes: buyers in waiting rooms are not admitted"
      - alert: BookingRushNotificationsDeadLettering
        expr: sum by (service) (rate(notification_events_total{result="dead_lettered"}[10m])) / sum by (service) (rate(notification_events_total[10m])) > 0.5
        for: 10m
        labels: { severity: critical }
        annotations:
          summary: "More than half of the notification worker's events are dead-lettered"
{{- end -}}
