package stack

import (
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/policy"
)

// ecrImage splits a private ECR image into its account, region and
// repository: <12 digits>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>,
// the repository up to a tag or digest. Read by hand, not by a regular
// expression: compiling one with a counted repeat cost a process more than
// the rest of a render.
func ecrImage(image string) (account, region, repository string, ok bool) {
	host, path, slash := strings.Cut(image, "/")
	host, aws := strings.CutSuffix(strings.TrimSuffix(host, ".cn"), ".amazonaws.com")
	account, host, _ = strings.Cut(host, ".")
	host, dkr := strings.CutPrefix(host, "dkr.ecr")
	region, dot := strings.CutPrefix(strings.TrimPrefix(host, "-fips"), ".")
	if end := strings.IndexAny(path, ":@"); end >= 0 {
		path = path[:end]
	}
	ok = slash && aws && dkr && dot && path != "" &&
		len(account) == 12 && strings.Trim(account, "0123456789") == "" &&
		region != "" && strings.Trim(region, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
	if !ok {
		return "", "", "", false
	}
	return account, region, path, true
}

// builtImageRepository is where Copilot pushed built images, and so where a
// built image is pulled from: the ECR repository <app>/<workload>.
const builtImageRepository = "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${AppName}/${WorkloadName}"

// executionRole lets ECS start the task: write to the service's log group,
// pull its private images and read exactly the secrets the manifest names.
// It replaces Copilot's AmazonECSTaskExecutionRolePolicy and tag-scoped
// wildcards with statements that name each resource.
func executionRole(tr *translation) *iam.Role {
	w := tr.w
	statements := []policy.Statement{
		policy.Allow("WriteLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, cfn.GetAtt(LogGroup, "Arn")),
	}
	var repositories []string
	var grants secretGrants
	for _, c := range w.Containers() {
		if c.Build {
			repositories = appendNew(repositories, cfn.Sub(builtImageRepository))
		} else if account, region, repository, ok := ecrImage(c.Image); ok {
			repositories = appendNew(repositories, cfn.Sub("arn:${AWS::Partition}:ecr:"+region+":"+account+":repository/"+cfn.SubLiteral(repository)))
		}
		for _, s := range containerSecrets(tr, c) {
			grants.add(s)
		}
		if c.Credentials != "" {
			grants.secrets = appendNew(grants.secrets, secretARN(c.Credentials))
		}
	}
	if w.Logging != nil {
		// ECS reads the log driver's secret options when it starts the task.
		for _, s := range w.Logging.SecretOptions {
			grants.add(secret{Secret: s})
		}
	}
	if len(repositories) > 0 {
		statements = append(statements,
			// ecr:GetAuthorizationToken has no resource-level permissions:
			// AWS accepts only "*" for it.
			policy.Allow("ECRLogin", []string{"ecr:GetAuthorizationToken"}, "*"),
			policy.Allow("PullImages", []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, repositories...))
	}
	if len(grants.parameters) > 0 {
		statements = append(statements, policy.Allow("ReadParameters", []string{"ssm:GetParameters"}, grants.parameters...))
	}
	if len(grants.secrets) > 0 {
		statements = append(statements, policy.Allow("ReadSecrets", []string{"secretsmanager:GetSecretValue"}, grants.secrets...))
	}
	if len(grants.imported) > 0 {
		// An export holds the ARN of a parameter or a secret; which one is
		// known only at deploy time, so both reads name exactly that ARN.
		statements = append(statements, policy.Allow("ReadImportedSecrets", []string{"secretsmanager:GetSecretValue", "ssm:GetParameters"}, grants.imported...))
	}
	return &iam.Role{
		AssumeRolePolicyDocument: policy.AssumeRole(),
		Policies:                 []iam.Role_Policy{{PolicyName: "TaskExecution", PolicyDocument: policy.New(statements...)}},
	}
}

// taskRole is the role the containers run as: it mounts the EFS file
// systems, carries the generated ManagedPolicies and, with exec, ECS Exec.
func taskRole(tr *translation, managedPolicies []string) *iam.Role {
	w := tr.w
	role := &iam.Role{AssumeRolePolicyDocument: policy.AssumeRole(), ManagedPolicyArns: managedPolicies}
	if statements := efsStatements(tr); len(statements) > 0 {
		role.Policies = append(role.Policies, iam.Role_Policy{PolicyName: "MountEFS", PolicyDocument: policy.New(statements...)})
	}
	if w.Type == manifest.WorkerService {
		role.Policies = append(role.Policies, iam.Role_Policy{PolicyName: "ConsumeQueue", PolicyDocument: policy.New(queueStatement(w))})
	}
	if len(w.Publish) > 0 {
		role.Policies = append(role.Policies, iam.Role_Policy{PolicyName: "PublishToTopics", PolicyDocument: policy.New(publishStatement(w))})
	}
	if w.Exec {
		role.Policies = append(role.Policies, iam.Role_Policy{
			PolicyName: "ECSExec",
			PolicyDocument: policy.New(
				// ssmmessages has no resource-level permissions: AWS accepts
				// only "*" for the channels ECS Exec opens.
				policy.Allow("ECSExec", []string{"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
					"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}, "*")),
		})
	}
	return role
}

// efsStatements grant ClientMount on each file system whose volume uses IAM
// authorization, and ClientWrite when any container mounts it writable
// (Copilot looked at the main container only). Without IAM authorization
// EFS does not ask the task role, so nothing is granted.
func efsStatements(tr *translation) []policy.Statement {
	w := tr.w
	var out []policy.Statement
	for _, v := range w.Volumes {
		if v.EFS == nil || !v.EFS.IAM {
			continue
		}
		actions := []string{"elasticfilesystem:ClientMount"}
		if writable(w, v) {
			actions = append(actions, "elasticfilesystem:ClientWrite")
		}
		s := policy.Allow(efsSid(v), actions, tr.fileSystemARN(v.EFS))
		if v.EFS.Managed {
			s.Condition = map[string]map[string]any{"StringEquals": {
				"elasticfilesystem:AccessPointArn": cfn.GetAtt(AccessPoint, "Arn"),
			}}
		} else if ap := v.EFS.AccessPointID; ap != "" {
			s.Condition = map[string]map[string]any{"StringEquals": {
				"elasticfilesystem:AccessPointArn": cfn.Sub("arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:access-point/" + ap),
			}}
		}
		out = append(out, s)
	}
	return out
}

func writable(w *manifest.Workload, v manifest.Volume) bool {
	if !v.ReadOnly {
		return true
	}
	for _, c := range w.Containers() {
		for _, m := range c.MountPoints {
			if m.SourceVolume == v.Name && !m.ReadOnly {
				return true
			}
		}
	}
	return false
}

func (tr *translation) fileSystemARN(e *manifest.EFS) string {
	const prefix = "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/"
	var id string
	switch {
	case e.Managed && !tr.opts.CopilotEnv:
		return cfn.Sub(prefix + "${" + FileSystemID + "}")
	case e.Managed:
		id = tr.value(inFileSystem)
	case e.Import != "":
		id = cfn.ImportValue(e.Import)
	default:
		return cfn.Sub(prefix + e.ID)
	}
	return cfn.Join("", "arn:", cfn.Ref("AWS::Partition"), ":elasticfilesystem:", cfn.Ref("AWS::Region"), ":",
		cfn.Ref("AWS::AccountId"), ":file-system/", id)
}
