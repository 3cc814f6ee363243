package stack

import (
	"encoding/json"
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/awslabs/goformation/v7/cloudformation/sqs"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/policy"
)

// addWorker adds the queue, its dead-letter queue, the policy that lets
// exactly the subscribed topics send to it, and the subscriptions.
func addWorker(t *cfn.Template, tr *translation) {
	w := tr.w
	addQueue(t, EventsQueue, DeadLetterQueue, w.Subscribe.Queue, "")
	var topics []any
	for _, topic := range w.Subscribe.Topics {
		if topic.Queue == nil {
			topics = append(topics, tr.topicARN(topic))
		}
	}
	if len(topics) > 0 {
		t.AddResource(EventsQueuePolicy, sendPolicy(EventsQueue, topics))
	}
	for _, topic := range w.Subscribe.Topics {
		endpoint := EventsQueue
		if topic.Queue != nil {
			// The topic's own queue, as Copilot made it.
			id := alphanumeric(topic.Service + topic.Name)
			endpoint = topicQueueID(topic)
			addQueue(t, endpoint, id+"DeadLetterQueue", *topic.Queue, "-"+id)
			t.AddResource(id+"QueuePolicy", sendPolicy(endpoint, []any{tr.topicARN(topic)}))
		}
		sub := &sns.Subscription{
			TopicArn: tr.topicARN(topic),
			Protocol: "sqs",
			Endpoint: cfn.Ptr(cfn.GetAtt(endpoint, "Arn")),
		}
		if topic.FilterPolicy != "" {
			sub.FilterPolicy = json.RawMessage(topic.FilterPolicy)
		}
		t.AddResource(subscriptionID(topic), sub)
	}
}

// addQueue adds a queue and, with dead_letter, its dead-letter queue; a
// FIFO queue's name ends in suffix.fifo.
func addQueue(t *cfn.Template, id, deadLetterID string, q manifest.Queue, suffix string) {
	queue := &sqs.Queue{
		MessageRetentionPeriod:               cfn.Ptr(q.Retention),
		DelaySeconds:                         cfn.Ptr(q.Delay),
		VisibilityTimeout:                    cfn.Ptr(q.Timeout),
		SqsManagedSseEnabled:                 cfn.Ptr(true),
		AWSCloudFormationDeletionPolicy:      deletion,
		AWSCloudFormationUpdateReplacePolicy: replacement,
	}
	if q.Tries > 0 {
		dlq := &sqs.Queue{MessageRetentionPeriod: cfn.Ptr(14 * 24 * 3600), SqsManagedSseEnabled: cfn.Ptr(true),
			AWSCloudFormationDeletionPolicy: deletion, AWSCloudFormationUpdateReplacePolicy: replacement}
		fifo(dlq, q.FIFO, suffix+"-dlq")
		t.AddResource(deadLetterID, dlq)
		queue.RedrivePolicy = map[string]any{"deadLetterTargetArn": cfn.GetAtt(deadLetterID, "Arn"), "maxReceiveCount": q.Tries}
	}
	fifo(queue, q.FIFO, suffix)
	t.AddResource(id, queue)
}

// sendPolicy lets exactly the topics send to a queue.
func sendPolicy(queue string, topics []any) *sqs.QueuePolicy {
	return &sqs.QueuePolicy{
		Queues: []string{cfn.Ref(queue)},
		PolicyDocument: policy.New(policy.Statement{
			Effect:    "Allow",
			Principal: &policy.Principal{Service: "sns.amazonaws.com"},
			Action:    []string{"sqs:SendMessage"},
			Resource:  []string{cfn.GetAtt(queue, "Arn")},
			Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": topics}},
		}),
	}
}

// topicQueueID is a topic's own queue, Copilot's <service><topic>EventsQueue.
func topicQueueID(t manifest.Topic) string { return alphanumeric(t.Service+t.Name) + "EventsQueue" }

// queues are the worker's queues: EventsQueue, then the topics' own.
func queues(w *manifest.Workload) []string {
	out := []string{EventsQueue}
	for _, t := range w.Subscribe.Topics {
		if t.Queue != nil {
			out = append(out, topicQueueID(t))
		}
	}
	return out
}

// fifo makes a queue a FIFO queue, whose name must end in .fifo.
func fifo(q *sqs.Queue, f *manifest.FIFO, suffix string) {
	if f == nil {
		return
	}
	q.FifoQueue = cfn.Ptr(true)
	q.QueueName = cfn.Ptr(cfn.Sub("${AppName}-${EnvName}-${WorkloadName}" + suffix + ".fifo"))
	if f.ContentBasedDeduplication {
		q.ContentBasedDeduplication = cfn.Ptr(true)
	}
	if f.DeduplicationScope != "" {
		q.DeduplicationScope = cfn.Ptr(f.DeduplicationScope)
	}
	if f.ThroughputLimit != "" {
		q.FifoThroughputLimit = cfn.Ptr(f.ThroughputLimit)
	}
}

// queueStatement lets the worker consume exactly its queues.
func queueStatement(w *manifest.Workload) policy.Statement {
	var arns []string
	for _, q := range queues(w) {
		arns = append(arns, cfn.GetAtt(q, "Arn"))
	}
	return policy.Allow("ConsumeQueue", []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
		"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"}, arns...)
}

// topicParameters declares a parameter for each subscribed topic's ARN,
// unless Copilot's names give it.
func (tr *translation) topicParameters(t *cfn.Template) {
	w := tr.w
	if w.Subscribe == nil || tr.opts.CopilotEnv {
		return
	}
	for _, topic := range w.Subscribe.Topics {
		t.AddParameter(topicParameter(topic), cfn.Parameter{Type: "String",
			Description: fmt.Sprintf("ARN of the SNS topic %s that service %s publishes.", topic.Name, topic.Service)})
	}
}

// topicARN is a subscribed topic's ARN: its parameter, or under
// --copilot-env the ARN of the topic as the publishing service's Copilot
// stack named it, <app>-<env>-<service>-<topic>, as Copilot subscribed.
func (tr *translation) topicARN(topic manifest.Topic) string {
	if !tr.opts.CopilotEnv {
		return cfn.Ref(topicParameter(topic))
	}
	return cfn.Sub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${AppName}-${EnvName}-" + topic.Service + "-" + topic.Name)
}
