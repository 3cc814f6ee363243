package cfn

import (
	"encoding/json"
	"strconv"
	"strings"
)

// tokenMark starts every intrinsic token. A manifest can never produce it:
// the manifest package refuses NUL in any string, and CloudFormation has no
// use for one either.
const tokenMark = "\x00"

// token encodes the intrinsic {name: arg} as a string that fits in any
// string field of a goformation struct. The tree builder turns it back into
// a Func; nothing else ever decodes it.
func token(name string, arg any) string {
	switch arg := arg.(type) {
	case string:
		return tokenMark + stringArg + name + argSep + arg
	case []string:
		var sb strings.Builder
		sb.WriteString(tokenMark + listArg + name + argSep)
		for _, s := range arg {
			sb.WriteString(strconv.Itoa(len(s)))
			sb.WriteString(argSep)
			sb.WriteString(s)
		}
		return sb.String()
	}
	b, err := json.Marshal(arg)
	if err != nil {
		// Every caller passes strings, ints or slices of them.
		panic("cfn: intrinsic argument: " + err.Error())
	}
	var sb strings.Builder
	sb.Grow(len(name) + len(b) + 8)
	sb.WriteString(tokenMark)
	sb.WriteString(`{"`)
	sb.WriteString(name)
	sb.WriteString(`":`)
	sb.Write(b)
	sb.WriteString("}")
	return sb.String()
}

// exprMark follows tokenMark in a token that carries a whole tree.
const exprMark = "="

// The intrinsics of one string or a list of strings, most of them, are
// not written as JSON: stringArg after tokenMark starts name, argSep and
// the string; listArg starts name, argSep and each string as its length,
// argSep and itself. Either string may be a token.
const (
	stringArg = "s"
	listArg   = "l"
	argSep    = "\x01"
)

// Expr returns a string that carries the tree v into a string field of a
// goformation struct: v itself when it is a plain scalar, else a token that
// the tree builder turns back into v. It fails only for a tree that cannot
// be written (a mapping CloudFormation would read as an intrinsic).
func Expr(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case Number:
		return string(v), nil
	case bool:
		if v {
			return "true", nil
		}
		return "false", nil
	}
	b, err := JSON(v)
	if err != nil {
		return "", err
	}
	return tokenMark + exprMark + string(b), nil
}

// IsToken reports whether s is an intrinsic made by this package.
func IsToken(s string) bool { return strings.HasPrefix(s, tokenMark) }

// Ref is !Ref name.
func Ref(name string) string { return token("Ref", name) }

// GetAtt is !GetAtt resource.attribute.
func GetAtt(resource, attribute string) string {
	return token("Fn::GetAtt", []string{resource, attribute})
}

// Sub is !Sub s.
func Sub(s string) string { return token("Fn::Sub", s) }

// SubVars is !Sub [s, vars]: ${name} in s takes the value vars gives it.
func SubVars(s string, vars map[string]string) string { return token("Fn::Sub", []any{s, vars}) }

// ImportValue is !ImportValue export.
func ImportValue(export string) string { return token("Fn::ImportValue", export) }

// Join is !Join [sep, parts].
func Join(sep string, parts ...string) string {
	return token("Fn::Join", []any{sep, parts})
}

// JoinList is !Join [sep, list], list an expression that is itself a list,
// such as !Ref of a List parameter.
func JoinList(sep, list string) string { return token("Fn::Join", []any{sep, list}) }

// Select is !Select [index, list].
func Select(index int, list string) string {
	return token("Fn::Select", []any{index, list})
}

// GetAZs is !GetAZs region: "" for the stack's own.
func GetAZs(region string) string { return token("Fn::GetAZs", region) }

// Split is !Split [sep, s].
func Split(sep, s string) string { return token("Fn::Split", []string{sep, s}) }

// SubLiteral escapes s for use as literal text inside !Sub, where "${"
// starts a variable.
func SubLiteral(s string) string { return strings.ReplaceAll(s, "${", "${!") }

// Ptr returns a pointer to s, for goformation's optional string fields.
func Ptr[T any](v T) *T { return &v }
