{{/* Labels of everything this chart makes itself (the applications' charts label their own). */}}
{{- define "video-site.labels" -}}
app.kubernetes.io/part-of: video-site
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
