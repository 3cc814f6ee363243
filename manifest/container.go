package manifest

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var imageFields = fields{
	Known: []string{"location", "build", "port", "credentials", "labels", "depends_on", "healthcheck"},
	Unsupported: map[string]string{
		"docker_labels": notYet + "; use labels",
	},
}

// buildFields are read only to be checked: cfngen builds nothing, and a
// built image reaches the template as a parameter.
var buildFields = fields{Known: []string{"dockerfile", "context", "args", "target", "cache_from"}}

// image reads the main container's image section.
func (d *decoder) image(n *yaml.Node, path string, c *Container) {
	hasLocation := false
	d.Mapping(n, path, imageFields, func(key string, k, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "location":
			c.Image = d.imageLocation(v, p)
			hasLocation = true
		case "build":
			d.build(v, p)
			c.Build = true
		case "port":
			c.Port = d.port(v, p)
		case "credentials":
			c.Credentials = d.credentials(v, p)
		case "labels":
			c.Labels = d.labels(v, p)
		case "depends_on":
			c.DependsOn = d.dependsOn(v, p)
		case "healthcheck":
			c.HealthCheck = d.healthCheck(v, p)
		}
	})
	if hasLocation && c.Build {
		d.Errorf(n, path, "set location or build, not both")
	}
	if !hasLocation && !c.Build && n.Kind == yaml.MappingNode {
		d.Errorf(n, path, "missing field \"location\" or \"build\"")
	}
}

// imageLocation reads an image. A private ECR image's repository becomes
// part of the execution role's pull statement, so its account, region and
// repository name must be what ECR accepts.
func (d *decoder) imageLocation(n *yaml.Node, path string) string {
	s, ok := d.NonEmpty(n, path)
	if !ok {
		return ""
	}
	host, repo, found := strings.Cut(s, "/")
	if !found || !strings.Contains(host, ".dkr.ecr") {
		return s
	}
	account, rest, _ := strings.Cut(host, ".dkr.ecr")
	region := strings.TrimPrefix(strings.TrimPrefix(rest, "-fips"), ".")
	region, _, _ = strings.Cut(region, ".")
	if i := strings.IndexAny(repo, ":@"); i >= 0 {
		repo = repo[:i]
	}
	var err error
	switch {
	case account == "" || !charset(account, "") || strings.ToLower(account) != strings.ToUpper(account):
		// Copilot's own examples use ten-digit accounts: digits are enough.
		err = fmt.Errorf("an ECR image's account must be digits, got %q", account)
	case checkRegion(region) != nil:
		err = fmt.Errorf("an ECR image's region %v", checkRegion(region))
	default:
		err = checkECRRepository(repo)
	}
	if err != nil {
		d.Errorf(n, path, "%v", err)
		return ""
	}
	return s
}

func (d *decoder) build(n *yaml.Node, path string) {
	if n.Kind == yaml.ScalarNode {
		d.NonEmpty(n, path)
		return
	}
	d.Mapping(n, path, buildFields, func(key string, k, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "args":
			d.stringMap(v, p)
		case "cache_from":
			d.StringList(v, p)
		default:
			d.Str(v, p)
		}
	})
}

// credentials reads a private registry's credentials: ECS takes only the
// ARN of a Secrets Manager secret.
func (d *decoder) credentials(n *yaml.Node, path string) string {
	s, ok := d.NonEmpty(n, path)
	if !ok {
		return ""
	}
	if parts := strings.SplitN(s, ":", 4); len(parts) < 4 || parts[0] != "arn" || parts[2] != "secretsmanager" {
		d.Errorf(n, path, "must be the ARN of a Secrets Manager secret, got %q", s)
		return ""
	}
	if err := checkSecretARN(s); err != nil {
		d.Errorf(n, path, "%v", err)
		return ""
	}
	return s
}

var sidecarFields = fields{Known: []string{"image", "port", "essential", "credentialsParameter", "variables", "secrets",
	"mount_points", "labels", "depends_on", "entrypoint", "command", "healthcheck", "env_file"}}

func (d *decoder) sidecars(n *yaml.Node, path string) []Container {
	var out []Container
	d.userMap(n, path, func(name string, k, v *yaml.Node) {
		p := d.Join(path, name)
		c := Container{Name: name, Essential: true, path: p}
		hasImage := false
		d.Mapping(v, p, sidecarFields, func(key string, _, v *yaml.Node) {
			fp := d.Join(p, key)
			switch key {
			case "env_file":
				c.envFile = d.envFileName(v, fp)
			case "image":
				hasImage = true
				d.sidecarImage(v, fp, &c)
			case "port":
				c.Port = d.port(v, fp)
			case "essential":
				c.Essential, _ = d.Boolean(v, fp)
			case "credentialsParameter":
				c.Credentials = d.credentials(v, fp)
			case "variables":
				c.Variables = d.variables(v, fp)
			case "secrets":
				c.Secrets = d.secrets(v, fp)
			case "mount_points":
				c.MountPoints = d.mountPoints(v, fp)
			case "labels":
				c.Labels = d.labels(v, fp)
			case "depends_on":
				c.DependsOn = d.dependsOn(v, fp)
			case "entrypoint":
				c.EntryPoint = d.command(v, fp)
			case "command":
				c.Command = d.command(v, fp)
			case "healthcheck":
				c.HealthCheck = d.healthCheck(v, fp)
			}
		})
		if !hasImage && v.Kind == yaml.MappingNode {
			d.Errorf(k, p, "missing field \"image\"")
		}
		out = append(out, c)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (d *decoder) sidecarImage(n *yaml.Node, path string, c *Container) {
	if n.Kind == yaml.ScalarNode {
		c.Image = d.imageLocation(n, path)
		return
	}
	hasLocation := false
	d.Mapping(n, path, fields{Known: []string{"location", "build"}}, func(key string, _, v *yaml.Node) {
		if key == "location" {
			c.Image = d.imageLocation(v, join(path, key))
			hasLocation = true
			return
		}
		d.build(v, join(path, key))
		c.Build = true
	})
	if hasLocation == c.Build && n.Kind == yaml.MappingNode {
		d.Errorf(n, path, "set exactly one of location or build")
	}
}

// port reads 80, "80", "80/tcp" or "2000/udp".
func (d *decoder) port(n *yaml.Node, path string) *Port {
	s, ok := d.Str(n, path)
	if !ok {
		return nil
	}
	number, protocol, hasProtocol := strings.Cut(s, "/")
	if !hasProtocol {
		protocol = "tcp"
	}
	protocol = strings.ToLower(protocol)
	i, err := strconv.Atoi(number)
	if err != nil {
		d.Errorf(n, path, "must be a port such as 80, \"80/tcp\" or \"2000/udp\", got %q", s)
		return nil
	}
	if i < 1 || i > 65535 {
		d.Errorf(n, path, "must be 1-65535, got %d", i)
		return nil
	}
	if protocol != "tcp" && protocol != "udp" {
		d.Errorf(n, path, "protocol must be tcp or udp, got %q", protocol)
		return nil
	}
	return &Port{Number: i, Protocol: protocol}
}

// userMap walks a mapping whose keys the user names (variables, labels,
// sidecars), refusing keys CloudFormation would read as an intrinsic.
func (d *decoder) userMap(n *yaml.Node, path string, fn func(key string, k, v *yaml.Node)) {
	d.Entries(n, path, func(k, v *yaml.Node) {
		switch {
		case k.Value == "Ref" || k.Value == "Condition" || strings.HasPrefix(k.Value, "Fn::"):
			d.Errorf(k, path, "%q is reserved: CloudFormation would read it as an intrinsic function", k.Value)
		case len(k.Value) > 255:
			d.Errorf(k, path, "keys must be at most 255 characters")
		default:
			fn(k.Value, k, v)
		}
	})
}

func (d *decoder) stringMap(n *yaml.Node, path string) map[string]string {
	out := map[string]string{}
	d.userMap(n, path, func(key string, _, v *yaml.Node) {
		if s, ok := d.Str(v, join(path, key)); ok {
			out[key] = s
		}
	})
	return out
}

func (d *decoder) labels(n *yaml.Node, path string) []Label {
	m := d.stringMap(n, path)
	out := make([]Label, 0, len(m))
	for k, v := range m {
		out = append(out, Label{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// variables reads name: value pairs; a value is a string, number or bool
// as written, or {from_cfn: export}.
func (d *decoder) variables(n *yaml.Node, path string) []Variable {
	var out []Variable
	d.userMap(n, path, func(name string, k, v *yaml.Node) {
		p := d.Join(path, name)
		variable := Variable{Name: name}
		switch {
		case isNull(v):
			d.Errorf(v, p, "must have a value")
			return
		case v.Kind == yaml.MappingNode:
			d.Mapping(v, p, fields{Known: []string{"from_cfn"}}, func(_ string, _, e *yaml.Node) {
				variable.Import, _ = d.NonEmpty(e, join(p, "from_cfn"))
			})
			if variable.Import == "" {
				return
			}
		default:
			s, ok := d.Str(v, p)
			if !ok {
				return
			}
			variable.Value = s
		}
		out = append(out, variable)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// secrets reads name: source pairs: an SSM parameter name or an ARN,
// {secretsmanager: name[:json-key:stage:version]}, or {from_cfn: export}.
func (d *decoder) secrets(n *yaml.Node, path string) []Secret {
	var out []Secret
	d.userMap(n, path, func(name string, k, v *yaml.Node) {
		p := d.Join(path, name)
		secret := Secret{Name: name}
		if v.Kind == yaml.MappingNode {
			d.Mapping(v, p, fields{Known: []string{SecretSecretsManager, SecretImport}}, func(key string, _, e *yaml.Node) {
				if secret.From != "" {
					d.Errorf(e, p, "set secretsmanager or from_cfn, not both")
					return
				}
				secret.From = key
				secret.Value, _ = d.NonEmpty(e, join(p, key))
				if key == SecretSecretsManager && secret.Value != "" {
					if err := checkSecretsManager(secret.Value); err != nil {
						d.Errorf(e, join(p, key), "%v", err)
						secret.Value = ""
					}
				}
			})
			if secret.Value == "" {
				if secret.From == "" {
					d.Errorf(v, p, "must name a secret: a parameter name or ARN, {secretsmanager: name} or {from_cfn: export}")
				}
				return
			}
			out = append(out, secret)
			return
		}
		s, ok := d.NonEmpty(v, p)
		if !ok {
			return
		}
		if err := checkSecretSource(s); err != nil {
			d.Errorf(v, p, "%v", err)
			return
		}
		secret.From, secret.Value = SecretSSM, s
		out = append(out, secret)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// The depends_on conditions ECS knows.
var conditions = []string{"START", "COMPLETE", "SUCCESS", "HEALTHY"}

func (d *decoder) dependsOn(n *yaml.Node, path string) []Dependency {
	var out []Dependency
	d.userMap(n, path, func(name string, k, v *yaml.Node) {
		p := d.Join(path, name)
		s, ok := d.Str(v, p)
		if !ok {
			return
		}
		cond := strings.ToUpper(s)
		if !slices.Contains(conditions, cond) {
			d.Errorf(v, p, "unknown condition %q; want start, complete, success or healthy", s)
			return
		}
		out = append(out, Dependency{Container: name, Condition: cond})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Container < out[j].Container })
	return out
}

var healthCheckFields = fields{Known: []string{"command", "interval", "retries", "timeout", "start_period"}}

// healthCheck reads a container health check with Copilot's defaults and
// ECS's ranges: interval 5-300s, timeout 2-60s, retries 1-10, start period
// 0-300s.
func (d *decoder) healthCheck(n *yaml.Node, path string) *HealthCheck {
	h := &HealthCheck{Interval: 10, Retries: 2, Timeout: 5}
	d.Mapping(n, path, healthCheckFields, func(key string, _, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "command":
			h.Command, _ = d.StringList(v, p)
			if len(h.Command) > 0 && h.Command[0] != "CMD" && h.Command[0] != "CMD-SHELL" && h.Command[0] != "NONE" {
				d.Errorf(v, p, "must start with CMD, CMD-SHELL or NONE, got %q", h.Command[0])
			}
		case "interval":
			h.Interval, _ = d.Seconds(v, p, 5, 300)
		case "retries":
			h.Retries, _ = d.IntRange(v, p, 1, 10)
		case "timeout":
			h.Timeout, _ = d.Seconds(v, p, 2, 60)
		case "start_period":
			h.StartPeriod, _ = d.Seconds(v, p, 0, 300)
		}
	})
	if len(h.Command) == 0 && n.Kind == yaml.MappingNode {
		d.Errorf(n, path, "missing field \"command\"")
	}
	return h
}

var mountPointFields = fields{Known: []string{"source_volume", "path", "read_only"}}

func (d *decoder) mountPoints(n *yaml.Node, path string) []MountPoint {
	var out []MountPoint
	d.List(n, path, func(p string, item *yaml.Node) {
		m := MountPoint{ReadOnly: true, path: p}
		d.Mapping(item, p, mountPointFields, func(key string, _, v *yaml.Node) {
			fp := d.Join(p, key)
			switch key {
			case "source_volume":
				m.SourceVolume, _ = d.NonEmpty(v, fp)
			case "path":
				m.Path = d.absolutePath(v, fp)
			case "read_only":
				m.ReadOnly, _ = d.Boolean(v, fp)
			}
		})
		if item.Kind == yaml.MappingNode && (m.SourceVolume == "" || m.Path == "") {
			d.Errorf(item, p, "needs source_volume and path")
			return
		}
		out = append(out, m)
	})
	return out
}
