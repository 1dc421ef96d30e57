{{/* API services: HPA on CPU (and, for booking, requests per second through the Prometheus adapter). */}}
{{- define "booking-rush.hpa" -}}
{{- $scaling := .service.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "booking-rush.fullname" . }}
  labels:
    {{- include "booking-rush.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "booking-rush.fullname" . }}
  minReplicas: {{ $scaling.minReplicas }}
  maxReplicas: {{ $scaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $scaling.cpuUtilization }}
    {{- if $scaling.requestsPerSecond }}
    - type: Pods
      pods:
        metric:
          name: http_requests_per_second
        target:
          type: AverageValue
          averageValue: {{ $scaling.requestsPerSecond | quote }}
    {{- end }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: {{ $scaling.scaleDownStabilizationSeconds }}
{{- end -}}

{{/* Kafka workers: a KEDA ScaledObject on the consumer group's lag, one trigger per topic. */}}
{{- define "booking-rush.scaledobject" -}}
{{- $scaling := .service.kafkaScaling -}}
{{- $root := .root -}}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "booking-rush.fullname" . }}
  labels:
    {{- include "booking-rush.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    name: {{ include "booking-rush.fullname" . }}
  minReplicaCount: {{ $scaling.minReplicas }}
  maxReplicaCount: {{ $scaling.maxReplicas }}
  cooldownPeriod: {{ $scaling.cooldownSeconds }}
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown:
          stabilizationWindowSeconds: {{ $scaling.cooldownSeconds }}
  triggers:
    {{- range $scaling.topics }}
    - type: kafka
      metadata:
        {{- /* Read by KEDA's operator, which runs in its own namespace. */}}
        bootstrapServers: {{ include "booking-rush.kafkaBrokersFromAnywhere" $root | quote }}
        consumerGroup: {{ $scaling.consumerGroup | quote }}
        topic: {{ . | quote }}
        lagThreshold: {{ $scaling.lagThreshold | quote }}
    {{- end }}
{{- end -}}
