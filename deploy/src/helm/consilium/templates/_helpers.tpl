{{/* The image reference of one program: registry/name:tag. */}}
{{- define "consilium.image" -}}
{{- $root := index . 0 -}}{{- $name := index . 1 -}}
{{- $tag := default $root.Chart.AppVersion $root.Values.image.tag -}}
{{- if $root.Values.image.registry -}}{{ printf "%s/%s:%s" $root.Values.image.registry $name $tag }}{{- else -}}{{ printf "%s:%s" $name $tag }}{{- end -}}
{{- end -}}

{{- define "consilium.labels" -}}
app.kubernetes.io/part-of: consilium
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Non-root, read-only root filesystem, no privileges: the images' user is 10001. */}}
{{- define "consilium.podSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{- define "consilium.containerSecurity" -}}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities: {drop: [ALL]}
{{- end -}}
