{{/* Labels and the container hardening of the in-release third-party parts (values.dependencies). */}}
{{- define "booking-rush.dependency.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: booking-rush
app.kubernetes.io/component: dependency
{{- end -}}

{{- define "booking-rush.dependency.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* uid: the image's own non-root user. readOnly: false only where the image writes beside its binaries. */}}
{{- define "booking-rush.dependency.securityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ .readOnly | default false }}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The release's Redis password (REDIS_PASSWORD), required when the in-release Redis runs. */}}
{{- define "booking-rush.redisPassword" -}}
{{- required "secrets.values.REDIS_PASSWORD is required when dependencies.redis.enabled" .Values.secrets.values.REDIS_PASSWORD -}}
{{- end -}}

{{/* REDLOCK_URLS of the in-release lock servers, when not given. */}}
{{- define "booking-rush.redlockUrls" -}}
{{- $root := . -}}
{{- $urls := list -}}
{{- range $index := until (int .Values.dependencies.redis.lockServers) -}}
{{- $urls = append $urls (printf "redis://:%s@%s-redis-lock-%d.%s-redis-lock:6379" (include "booking-rush.redisPassword" $root) $root.Release.Name $index $root.Release.Name) -}}
{{- end -}}
{{- join "," $urls -}}
{{- end -}}

{{/* DATABASE_URL of the in-release PostgreSQL, when not given. */}}
{{- define "booking-rush.databaseUrl" -}}
{{- $postgres := .Values.dependencies.postgresql -}}
{{- printf "postgres://%s:%s@%s-postgresql:5432/%s" $postgres.user (required "dependencies.postgresql.password is required when dependencies.postgresql.enabled" $postgres.password) .Release.Name $postgres.database -}}
{{- end -}}

{{- define "booking-rush.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" .Release.Name) -}}
{{- end -}}

{{/* KAFKA_BROKERS: the in-release broker, named from the release, when it runs; else config's. */}}
{{- define "booking-rush.kafkaBrokers" -}}
{{- if .Values.dependencies.kafka.enabled -}}
{{- printf "%s-kafka:9092" .Release.Name -}}
{{- else -}}
{{- .Values.config.KAFKA_BROKERS -}}
{{- end -}}
{{- end -}}

{{- /* The brokers as a process in another namespace reaches them (KEDA's operator runs in its own):
       the in-release Kafka by its namespaced Service name. */}}
{{- define "booking-rush.kafkaBrokersFromAnywhere" -}}
{{- if .Values.dependencies.kafka.enabled -}}
{{- printf "%s-kafka.%s.svc:9092" .Release.Name .Release.Namespace -}}
{{- else -}}
{{- .Values.config.KAFKA_BROKERS -}}
{{- end -}}
{{- end -}}
