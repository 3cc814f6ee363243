package stack

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/policy"
)

// topicKey is the topic's name in COPILOT_SNS_TOPIC_ARNS: its SNS name.
func topicKey(t manifest.PublishTopic) string {
	if t.FIFO {
		return t.Name + ".fifo"
	}
	return t.Name
}

// addTopics adds each published topic, named as Copilot named it
// (<app>-<env>-<workload>-<topic>) so subscribers' ARNs stay the same,
// with the policy that lets queues of this account subscribe, and an
// output of its ARN for the subscribers' templates.
func addTopics(t *cfn.Template, w *manifest.Workload) {
	for _, topic := range w.Publish {
		id := topicID(topic)
		res := &sns.Topic{
			TopicName:                            cfn.Ptr(cfn.Sub("${AppName}-${EnvName}-${WorkloadName}-" + topicKey(topic))),
			KmsMasterKeyId:                       cfn.Ptr("alias/aws/sns"),
			AWSCloudFormationDeletionPolicy:      deletion,
			AWSCloudFormationUpdateReplacePolicy: replacement,
		}
		if topic.FIFO {
			res.FifoTopic = cfn.Ptr(true)
			if topic.ContentBasedDeduplication {
				res.ContentBasedDeduplication = cfn.Ptr(true)
			}
		}
		t.AddResource(id, res)
		t.AddResource(id+"Policy", &sns.TopicPolicy{
			Topics: []string{cfn.Ref(id)},
			PolicyDocument: policy.New(policy.Statement{
				Effect:    "Allow",
				Principal: &policy.Principal{AWS: cfn.Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
				Action:    []string{"sns:Subscribe"},
				Resource:  []string{cfn.Ref(id)},
				Condition: map[string]map[string]any{"StringEquals": {"sns:Protocol": "sqs"}},
			}),
		})
		t.AddOutput(id+"Arn", cfn.Output{Description: fmt.Sprintf("ARN of the SNS topic %s, for its subscribers.", topic.Name), Value: cfn.Ref(id)})
	}
}

// publishStatement lets the task publish to exactly its topics.
func publishStatement(w *manifest.Workload) policy.Statement {
	var topics []string
	for _, topic := range w.Publish {
		topics = append(topics, cfn.Ref(topicID(topic)))
	}
	return policy.Allow("PublishToTopics", []string{"sns:Publish"}, topics...)
}
