package runtime

// ActOnPortal lets the containers test (package runtime_test) share the process
// fault checks.
var ActOnPortal = actOnPortal

// CheckCredentials lets the containers test check the stack's credentials too.
var CheckCredentials = checkCredentials
