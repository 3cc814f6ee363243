package manifest

import (
	"fmt"
	"strings"
)

// The names below become part of IAM resources and ARNs. Each is checked
// against what AWS accepts for it, after interpolation, so that no value can
// widen a statement: a wildcard (* or ?), a newline or a ../ never reaches
// an ARN.

// charset reports whether every byte of s is a letter, a digit or one of
// extra.
func charset(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// hexID reports whether s is prefix followed by lo to hi lower-case hex
// digits: an AWS resource id such as sg-0123abcd. Checked in code, not by
// a regular expression: nothing is compiled at start-up.
func hexID(s, prefix string, lo, hi int) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) < lo || len(rest) > hi {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validTopicName is SNS's rule: 1-200 letters, digits, hyphens and
// underscores.
func validTopicName(s string) bool { return s != "" && len(s) <= 200 && charset(s, "-_") }

// validIdentifier reports whether s is an environment variable's name:
// a letter or underscore, then letters, digits and underscores.
func validIdentifier(s string) bool {
	return s != "" && !(s[0] >= '0' && s[0] <= '9') && charset(s, "_")
}

// validDNSName reports whether s is DNS labels of lower-case letters,
// digits and hyphens, no label empty or starting or ending with a hyphen.
func validDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// ValidName reports whether s is a Copilot name: lower-case letters, digits
// and hyphens, starting with a letter, with no two hyphens together and
// none at the end. Application, environment and workload names become
// parts of file names, resource names and ARNs.
func ValidName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// nameRule says, for an error, what ValidName accepts.
const nameRule = "must be lower-case letters, digits and hyphens, starting with a letter, with no hyphen at the end or next to another"

// checkParameterName checks an SSM parameter name: letters, digits and
// _.-/ (AWS's set), at most 1011 characters, no relative segment.
func checkParameterName(written string) error {
	name := strings.TrimPrefix(written, "/")
	switch {
	case len(name) > 1011:
		return fmt.Errorf("an SSM parameter name is at most 1011 characters, got %d", len(name))
	case !charset(name, "_.-/"):
		return fmt.Errorf("an SSM parameter name holds only letters, digits and _.-/, got %q", written)
	case strings.Contains("/"+name+"/", "/../") || strings.Contains("/"+name+"/", "/./"):
		return fmt.Errorf("an SSM parameter name has no . or .. segment, got %q", written)
	}
	return nil
}

// checkSecretName checks a Secrets Manager secret name: letters, digits
// and /_+=.@-, at most 512 characters, no relative segment.
func checkSecretName(name string) error {
	switch {
	case len(name) > 512:
		return fmt.Errorf("a secret name is at most 512 characters, got %d", len(name))
	case name == "" || !charset(name, "/_+=.@-"):
		return fmt.Errorf("a secret name holds only letters, digits and /_+=.@-, got %q", name)
	case strings.Contains("/"+name+"/", "/../"):
		return fmt.Errorf("a secret name has no .. segment, got %q", name)
	}
	return nil
}

// checkRegion checks an AWS region name such as us-east-1 or
// us-gov-west-1.
func checkRegion(r string) error {
	parts := strings.Split(r, "-")
	ok := len(parts) >= 3 && len(r) <= 32
	for i, p := range parts {
		last := i == len(parts)-1
		ok = ok && p != "" && charset(p, "") && (last == (p[0] >= '0' && p[0] <= '9'))
	}
	if !ok || strings.ToLower(r) != r {
		return fmt.Errorf("must be an AWS region such as us-east-1, got %q", r)
	}
	return nil
}

// checkAccount checks a 12-digit account id.
func checkAccount(a string) bool {
	if len(a) != 12 {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] < '0' || a[i] > '9' {
			return false
		}
	}
	return true
}

// checkARN checks an ARN of service: arn:PARTITION:SERVICE:REGION:ACCOUNT:
// and returns the resource part, for the caller to check.
func checkARN(arn, service string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || !charset(parts[1], "-") || parts[2] != service {
		return "", fmt.Errorf("must be an ARN of %s, got %q", service, arn)
	}
	if err := checkRegion(parts[3]); err != nil {
		return "", fmt.Errorf("the ARN's region %s", err)
	}
	if !checkAccount(parts[4]) {
		return "", fmt.Errorf("the ARN's account must be 12 digits, got %q", parts[4])
	}
	return parts[5], nil
}

// checkSSMARN checks an SSM parameter's ARN.
func checkSSMARN(arn string) error {
	res, err := checkARN(arn, "ssm")
	if err != nil {
		return err
	}
	name, ok := strings.CutPrefix(res, "parameter")
	if !ok || !strings.HasPrefix(name, "/") {
		return fmt.Errorf("must be the ARN of an SSM parameter (…:parameter/NAME), got %q", arn)
	}
	return checkParameterName(name)
}

// checkSecretARN checks a Secrets Manager secret's ARN, which may carry a
// JSON key, version stage and version id after the name, as ECS takes it.
func checkSecretARN(arn string) error {
	res, err := checkARN(arn, "secretsmanager")
	if err != nil {
		return err
	}
	rest, ok := strings.CutPrefix(res, "secret:")
	if !ok {
		return fmt.Errorf("must be the ARN of a Secrets Manager secret (…:secret:NAME), got %q", arn)
	}
	return checkSecretReference(rest)
}

// checkSecretReference checks a secret's name with the :json-key:stage:
// version that ECS may take after it.
func checkSecretReference(s string) error {
	name, extra, _ := strings.Cut(s, ":")
	if err := checkSecretName(name); err != nil {
		return err
	}
	if !charset(extra, ":_+=.@-") {
		return fmt.Errorf("a secret's JSON key, stage and version hold only letters, digits and _+=.@-, got %q", extra)
	}
	return nil
}

// checkSecretSource checks what a secret is read from: an SSM parameter
// name or ARN, or a Secrets Manager ARN.
func checkSecretSource(s string) error {
	switch {
	case strings.HasPrefix(s, "arn:") && strings.Contains(s, ":secretsmanager:"):
		return checkSecretARN(s)
	case strings.HasPrefix(s, "arn:"):
		return checkSSMARN(s)
	}
	return checkParameterName(s)
}

// checkECRRepository checks a repository name as ECR accepts it.
func checkECRRepository(repo string) error {
	ok := repo != "" && len(repo) <= 256
	for _, part := range strings.Split(repo, "/") {
		ok = ok && part != "" && charset(part, "._-") && strings.ToLower(part) == part
	}
	if !ok {
		return fmt.Errorf("an ECR repository name holds only lower-case letters, digits and ._-/, got %q", repo)
	}
	return nil
}

// checkSecretsManager checks {secretsmanager: …}: an ARN, or a name with an
// optional :json-key:stage:version.
func checkSecretsManager(s string) error {
	if strings.HasPrefix(s, "arn:") {
		return checkSecretARN(s)
	}
	return checkSecretReference(s)
}
