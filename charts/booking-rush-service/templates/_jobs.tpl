{{/* The reconciler as a CronJob: every minute, never two runs at once, a failed run not retried in a loop. */}}
{{- define "booking-rush.cronjob" -}}
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ include "booking-rush.fullname" . }}
  labels:
    {{- include "booking-rush.labels" . | nindent 4 }}
spec:
  schedule: {{ .service.schedule | quote }}
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 30
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 5
  jobTemplate:
    spec:
      backoffLimit: 0
      activeDeadlineSeconds: {{ .service.activeDeadlineSeconds }}
      {{- /* Exit 2 (repaired) and 3 (lagging) end the Job as failed on purpose: a repair is worth a look, and the next minute's run compares again. */}}
      template:
        metadata:
          labels:
            {{- include "booking-rush.selectorLabels" . | nindent 12 }}
        spec:
          restartPolicy: Never
          serviceAccountName: {{ include "booking-rush.fullname" . }}
          automountServiceAccountToken: false
          securityContext:
            runAsNonRoot: true
          containers:
            {{- include "booking-rush.containerBase" . | nindent 12 }}
          volumes:
            - name: tmp
              emptyDir: {}
{{- end -}}
