package runtime

// ActOnPortal lets the containers test (package runtime_test) share the process
// fault checks.
var ActOnPortal = actOnPortal

// CheckCredentials lets the containers test check the stack's credentials too.
var CheckCredentials = checkCredentials

// The image hygiene test (package runtime_test) builds images with any builder label.
var (
	BuildImage   = buildImage
	PruneImages  = pruneImages
	DockerClient = dockerClient
)

func (s ImageSpec) Tag() (string, error) { return s.tag() }
