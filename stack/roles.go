package stack

import (
	"regexp"

	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// ecrImage matches a private ECR image: account, region, repository.
var ecrImage = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)`)

// builtImageRepository is where Copilot pushed built images, and so where a
// built image is pulled from: the ECR repository <app>/<workload>.
const builtImageRepository = "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${AppName}/${WorkloadName}"

// executionRole lets ECS start the task: write to the service's log group,
// pull its private images and read exactly the secrets the manifest names.
// It replaces Copilot's AmazonECSTaskExecutionRolePolicy and tag-scoped
// wildcards with statements that name each resource.
func executionRole(w *manifest.Workload) *iam.Role {
	statements := []addons.Statement{
		addons.Allow("WriteLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, cfn.GetAtt(LogGroup, "Arn")),
	}
	var repositories []string
	var grants secretGrants
	for _, c := range w.Containers() {
		if c.Build {
			repositories = appendNew(repositories, cfn.Sub(builtImageRepository))
		} else if m := ecrImage.FindStringSubmatch(c.Image); m != nil {
			repositories = appendNew(repositories, cfn.Sub("arn:${AWS::Partition}:ecr:"+m[2]+":"+m[1]+":repository/"+subLiteral(m[3])))
		}
		for _, s := range c.Secrets {
			grants.add(s)
		}
		if c.Credentials != "" {
			grants.secrets = appendNew(grants.secrets, secretARN(c.Credentials))
		}
	}
	if len(repositories) > 0 {
		statements = append(statements,
			// ecr:GetAuthorizationToken has no resource-level permissions:
			// AWS accepts only "*" for it.
			addons.Allow("ECRLogin", []string{"ecr:GetAuthorizationToken"}, "*"),
			addons.Allow("PullImages", []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, repositories...))
	}
	if len(grants.parameters) > 0 {
		statements = append(statements, addons.Allow("ReadParameters", []string{"ssm:GetParameters"}, grants.parameters...))
	}
	if len(grants.secrets) > 0 {
		statements = append(statements, addons.Allow("ReadSecrets", []string{"secretsmanager:GetSecretValue"}, grants.secrets...))
	}
	if len(grants.imported) > 0 {
		// An export holds the ARN of a parameter or a secret; which one is
		// known only at deploy time, so both reads name exactly that ARN.
		statements = append(statements, addons.Allow("ReadImportedSecrets", []string{"secretsmanager:GetSecretValue", "ssm:GetParameters"}, grants.imported...))
	}
	return &iam.Role{
		AssumeRolePolicyDocument: addons.AssumeRole(),
		Policies:                 []iam.Role_Policy{{PolicyName: "TaskExecution", PolicyDocument: addons.Policy(statements...)}},
	}
}

// taskRole is the role the containers run as.
func taskRole(w *manifest.Workload) *iam.Role {
	role := &iam.Role{AssumeRolePolicyDocument: addons.AssumeRole()}
	if w.Exec {
		role.Policies = append(role.Policies, iam.Role_Policy{
			PolicyName: "ECSExec",
			PolicyDocument: addons.Policy(
				// ssmmessages has no resource-level permissions: AWS accepts
				// only "*" for the channels ECS Exec opens.
				addons.Allow("ECSExec", []string{"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
					"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}, "*")),
		})
	}
	return role
}
