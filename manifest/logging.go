package manifest

import (
	"slices"
	"sort"

	"gopkg.in/yaml.v3"
)

// DefaultFireLensImage is Copilot's default log router image.
const DefaultFireLensImage = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"

// OTelImage is the collector cfngen adds for observability.tracing, with the
// configuration bundled in the image that forwards traces to X-Ray.
const (
	OTelImage  = "public.ecr.aws/aws-observability/aws-otel-collector:v0.38.1"
	OTelConfig = "--config=/etc/ecs/ecs-xray.yaml"
)

var loggingFields = fields{Known: []string{"image", "destination", "enableMetadata", "secretOptions", "configFilePath",
	"variables", "secrets", "retention", "env_file"}}

// retentionDays are the values CloudWatch Logs accepts for RetentionInDays.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// logging reads the logging section. The router container exists only when
// logs are routed somewhere: a destination or a Fluent Bit config file.
// retention alone sets the log group's retention and adds no router.
func (d *decoder) logging(n *yaml.Node, w *Workload) {
	const path = "logging"
	l := &Logging{EnableMetadata: true}
	router := Container{Name: FireLensContainer, Image: DefaultFireLensImage, Essential: true, path: path}
	routed, other := false, false
	d.Mapping(n, path, loggingFields, func(key string, _, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "image":
			router.Image, _ = d.NonEmpty(v, p)
			other = true
		case "destination":
			m := d.stringMap(v, p)
			if r, ok := m["region"]; ok {
				// The FireLens policy names the destination in this region.
				if err := checkRegion(r); err != nil {
					d.Errorf(v, join(p, "region"), "%v", err)
				}
			}
			for k, value := range m {
				l.Destination = append(l.Destination, Label{k, value})
			}
			sort.Slice(l.Destination, func(i, j int) bool { return l.Destination[i].Key < l.Destination[j].Key })
			routed = routed || len(m) > 0
		case "enableMetadata":
			l.EnableMetadata, _ = d.Boolean(v, p)
			other = true
		case "secretOptions":
			l.SecretOptions = d.secrets(v, p)
			other = true
		case "configFilePath":
			l.ConfigFilePath, _ = d.NonEmpty(v, p)
			routed = true
		case "env_file":
			router.envFile = d.envFileName(v, p)
		case "variables":
			router.Variables = d.variables(v, p)
			other = true
		case "secrets":
			router.Secrets = d.secrets(v, p)
			other = true
		case "retention":
			days, ok := d.Integer(v, p)
			if ok && !slices.Contains(retentionDays, days) {
				d.Errorf(v, p, "CloudWatch Logs keeps logs for %s days, got %d", intList(retentionDays), days)
				return
			}
			w.LogRetention = days
		}
	})
	switch {
	case routed:
		w.Logging = l
		w.FireLens = &router
	case other:
		d.Errorf(n, path, "set destination or configFilePath: without either the log router has nowhere to send logs")
	}
}
