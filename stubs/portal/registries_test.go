package portal

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRegistryURLPerRegistry(t *testing.T) {
	c := Config{RegistryURL: "http://trunk", Registries: map[string]string{"population": "http://population/", "tax": ""}}
	tests := []struct{ name, want string }{
		{"population", "http://population"}, // its own link
		{"tax", "http://trunk"},             // an empty entry is no entry
		{"land", "http://trunk"},            // no entry: the shared registry server
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, c.registryURL(tt.name), tt.name)
	}
}
