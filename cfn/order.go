package cfn

// keyOrder says which keys lead the mappings at a place in the template,
// and in what order; the other keys follow in the order they came in
// (goformation's alphabetical order for generated resources, the author's
// for addons).
type keyOrder struct {
	// at is the path from the template's root: a key, "*" for any key,
	// "[]" for every item of a list.
	at   []string
	keys []string
}

// order is the reviewer's order, the one table that decides it: sections
// in the order of CloudFormation's template anatomy; what a resource is,
// whether and after what it is made, then its properties; a container's
// name and image first. Callers never order keys themselves.
var order = []keyOrder{
	{nil, []string{"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings",
		"Conditions", "Transform", "Resources", "Outputs"}},
	{[]string{"Parameters", "*"}, []string{"Type", "Description", "Default", "AllowedValues", "MinValue", "MaxValue"}},
	{[]string{"Resources", "*"}, []string{"Type", "Condition", "DependsOn", "Metadata", "DeletionPolicy",
		"UpdateReplacePolicy", "Properties"}},
	{[]string{"Resources", "*", "Properties", "ContainerDefinitions", "[]"}, []string{"Name", "Image", "Essential"}},
	{[]string{"Resources", "*", "Properties", "NetworkConfiguration", "AwsvpcConfiguration"},
		[]string{"AssignPublicIp", "Subnets", "SecurityGroups"}},
	{[]string{"Outputs", "*"}, []string{"Description", "Value", "Export"}},
}

// rootOrder is the rule for the template's sections; the entries in them
// are ordered as they are added, by arrangeEntry.
func rootOrder() []keyOrder {
	for _, r := range order {
		if len(r.at) == 0 {
			return []keyOrder{r}
		}
	}
	return nil
}

// arrangeEntry orders an entry cfngen generates for a section: the rules
// below section.* apply. Entries from addons keep their author's order.
func arrangeEntry(section string, v any) any {
	var buf [maxRules]keyOrder
	rules := buf[:0]
	for _, r := range order {
		if len(r.at) >= 2 && r.at[0] == section && r.at[1] == "*" {
			rules = append(rules, r)
		}
	}
	return arrange(v, rules, 2)
}

// arrange puts the keys of every mapping the rules reach in their order,
// depth levels below the root.
func arrange(v any, rules []keyOrder, depth int) any {
	var buf [maxRules]keyOrder
	switch v := v.(type) {
	case Map:
		out := v
		for _, r := range rules {
			if len(r.at) == depth {
				out = lead(out, r.keys)
			}
		}
		for i, f := range out {
			if sub := descend(buf[:0], rules, depth, func(step string) bool { return step == "*" || step == f.Key }); len(sub) > 0 {
				out[i].Value = arrange(f.Value, sub, depth+1)
			}
		}
		return out
	case List:
		if sub := descend(buf[:0], rules, depth, func(step string) bool { return step == "[]" }); len(sub) > 0 {
			for i := range v {
				v[i] = arrange(v[i], sub, depth+1)
			}
		}
	}
	return v
}

// maxRules bounds how many rules reach one place: the walk keeps them in
// arrays on the stack.
const maxRules = 8

// descend appends to out the rules that reach below depth through a step
// match accepts.
func descend(out, rules []keyOrder, depth int, match func(step string) bool) []keyOrder {
	for _, r := range rules {
		if len(r.at) > depth && match(r.at[depth]) {
			out = append(out, r)
		}
	}
	return out
}

// lead puts keys, those m has, first in m and in that order, the others
// after them as they were; it returns m.
func lead(m Map, keys []string) Map {
	next := 0 // where the next leading key goes
	for _, k := range keys {
		for i := next; i < len(m); i++ {
			if m[i].Key == k {
				f := m[i]
				copy(m[next+1:i+1], m[next:i])
				m[next] = f
				next++
				break
			}
		}
	}
	return m
}
