package stack

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// topicID names a published topic's resource as Copilot did: the name,
// "fifo" for a FIFO topic, then SNSTopic.
func topicID(t manifest.PublishTopic) string {
	id := nonAlphanumeric.ReplaceAllString(t.Name, "")
	if t.FIFO {
		id += "fifo"
	}
	return id + "SNSTopic"
}

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
			TopicName:      cfn.Ptr(cfn.Sub("${AppName}-${EnvName}-${WorkloadName}-" + topicKey(topic))),
			KmsMasterKeyId: cfn.Ptr("alias/aws/sns"),
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
			PolicyDocument: addons.Policy(addons.Statement{
				Effect:    "Allow",
				Principal: &addons.Principal{AWS: cfn.Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
				Action:    []string{"sns:Subscribe"},
				Resource:  []string{cfn.Ref(id)},
				Condition: map[string]map[string]any{"StringEquals": {"sns:Protocol": "sqs"}},
			}),
		})
		t.AddOutput(id+"Arn", cfn.Output{Description: fmt.Sprintf("ARN of the SNS topic %s, for its subscribers.", topic.Name), Value: cfn.Ref(id)})
	}
}

// topicsVariable is COPILOT_SNS_TOPIC_ARNS: a JSON map of each topic's
// name to its ARN, as Copilot gave every container.
func topicsVariable(w *manifest.Workload) string {
	if len(w.Publish) == 0 {
		return ""
	}
	m := map[string]string{}
	for _, topic := range w.Publish {
		m[topicKey(topic)] = "${" + topicID(topic) + "}"
	}
	b, _ := json.Marshal(m) // sorted keys
	return cfn.Sub(strings.ReplaceAll(string(b), `\u0026`, "&"))
}

// publishStatement lets the task publish to exactly its topics.
func publishStatement(w *manifest.Workload) addons.Statement {
	var topics []string
	for _, topic := range w.Publish {
		topics = append(topics, cfn.Ref(topicID(topic)))
	}
	return addons.Allow("PublishToTopics", []string{"sns:Publish"}, topics...)
}
