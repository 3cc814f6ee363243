// Package policy builds IAM policy documents: the statements of every role
// and ManagedPolicy cfngen writes, in the order reviewers read them.
package policy

// Document is an IAM policy document. Its fields are in the order
// reviewers read them.
type Document struct {
	Version   string
	Statement []Statement
}

// Statement is one IAM policy statement.
type Statement struct {
	Sid       string `json:",omitempty"`
	Effect    string
	Principal *Principal `json:",omitempty"`
	Action    []string
	Resource  []string `json:",omitempty"`
	// Condition maps an operator to its keys and values, e.g.
	// StringEquals: {elasticfilesystem:AccessPointArn: arn}.
	Condition map[string]map[string]any `json:",omitempty"`
}

// Principal names who may assume a role.
type Principal struct {
	AWS     string `json:",omitempty"`
	Service string `json:",omitempty"`
}

// New returns a policy document version 2012-10-17 of the statements.
func New(statements ...Statement) Document {
	return Document{Version: "2012-10-17", Statement: statements}
}

// Allow is an Allow statement.
func Allow(sid string, actions []string, resources ...string) Statement {
	return Statement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
}

// AssumeRole is the trust policy that lets ECS tasks assume a role.
func AssumeRole() Document { return AssumeRoleBy("ecs-tasks.amazonaws.com") }

// AssumeRoleBy is the trust policy that lets an AWS service assume a role.
func AssumeRoleBy(service string) Document {
	return New(Statement{
		Effect:    "Allow",
		Principal: &Principal{Service: service},
		Action:    []string{"sts:AssumeRole"},
	})
}
