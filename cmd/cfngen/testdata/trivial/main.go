// Command trivial does nothing: the floor a process benchmark compares
// cfngen with.
package main

func main() {}
