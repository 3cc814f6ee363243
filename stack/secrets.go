package stack

import (
	"slices"
	"strings"

	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

const secretsManagerARN = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"

// arnOf reports whether s is an ARN of service: arn:<partition>:<service>:.
func arnOf(s, service string) bool {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return false
	}
	partition, rest, ok := strings.Cut(rest, ":")
	if !ok || partition == "" || strings.Trim(partition, "abcdefghijklmnopqrstuvwxyz-") != "" {
		return false
	}
	return strings.HasPrefix(rest, service+":")
}

// secretValueFrom is what ECS reads a secret from: an SSM name or any ARN
// as written, a Secrets Manager name as an ARN, an export imported.
func secretValueFrom(s manifest.Secret) string {
	switch s.From {
	case manifest.SecretSecretsManager:
		if strings.HasPrefix(s.Value, "arn:") {
			return s.Value
		}
		return cfn.Sub(secretsManagerARN + cfn.SubLiteral(s.Value))
	case manifest.SecretImport:
		return cfn.ImportValue(s.Value)
	}
	return s.Value
}

// secretGrants are the exact resources the execution role must read.
type secretGrants struct {
	parameters []string // SSM parameter ARNs
	secrets    []string // Secrets Manager secret ARNs
	imported   []string // ARNs from exports: SSM or Secrets Manager, unknown until deploy
}

// secret is a container secret as the template sets it: one of the
// manifest's, or one an addon output gives.
type secret struct {
	manifest.Secret
	// addonARN is set for an addon's secret: !Ref of its
	// AWS::SecretsManager::Secret, the secret's full ARN.
	addonARN string
}

func (s secret) valueFrom() string {
	if s.addonARN != "" {
		return s.addonARN
	}
	return secretValueFrom(s.Secret)
}

// containerSecrets are a container's secrets, sorted by name: for the main
// container with the addons' secrets among them.
func containerSecrets(tr *translation, c *manifest.Container) []secret {
	out := make([]secret, 0, len(c.Secrets))
	for _, s := range c.Secrets {
		out = append(out, secret{Secret: s})
	}
	if c == &tr.w.Main && len(tr.secrets) > 0 {
		out = append(out, tr.secrets...)
		slices.SortStableFunc(out, func(a, b secret) int { return strings.Compare(a.Name, b.Name) })
	}
	return out
}

func (g *secretGrants) add(s secret) {
	switch {
	case s.addonARN != "":
		g.secrets = appendNew(g.secrets, s.addonARN)
	case s.From == manifest.SecretImport:
		g.imported = appendNew(g.imported, cfn.ImportValue(s.Value))
	case s.From == manifest.SecretSecretsManager && !strings.HasPrefix(s.Value, "arn:"):
		// Secrets Manager appends six random characters to a secret's ARN;
		// the JSON key, stage and version after the name are not part of it.
		name, _, _ := strings.Cut(s.Value, ":")
		g.secrets = appendNew(g.secrets, cfn.Sub(secretsManagerARN+cfn.SubLiteral(name)+"-??????"))
	case arnOf(s.Value, "secretsmanager"):
		g.secrets = appendNew(g.secrets, secretARN(s.Value))
	case arnOf(s.Value, "ssm"):
		g.parameters = appendNew(g.parameters, s.Value)
	default:
		name := strings.TrimPrefix(s.Value, "/")
		g.parameters = appendNew(g.parameters, cfn.Sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/"+cfn.SubLiteral(name)))
	}
}

// secretARN drops the JSON key, stage and version that may follow a
// secret's ARN in a ValueFrom: arn:aws:secretsmanager:r:a:secret:name-abcdef.
func secretARN(arn string) string {
	parts := strings.SplitN(arn, ":", 8)
	return strings.Join(parts[:min(7, len(parts))], ":")
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
