package dist

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	// describeRE matches a version tag (v1.2.3, v1.2.0-rc.1) as git describe
	// prints it, optionally N commits on (-N-gSHA) and with a dirty tree.
	describeRE = regexp.MustCompile(`^v?(\d{1,9}(?:\.\d{1,9})+)(?:-?(a|alpha|b|beta|c|rc|pre|preview)\.?(\d{1,9})?)?(?:-(\d{1,9})-g([0-9a-f]{4,40}))?(-dirty)?$`)
	// commitRE matches git describe --always in a repository without tags.
	commitRE = regexp.MustCompile(`^([0-9a-f]{4,40})(-dirty)?$`)
	preNames = map[string]string{"a": "a", "alpha": "a", "b": "b", "beta": "b", "c": "rc", "rc": "rc", "pre": "rc", "preview": "rc"}
)

// PEP440 maps the build's version, as git describe --tags --always --dirty
// prints it, to a PEP 440 version that pip and uv accept:
//
//	v1.2.3                  1.2.3
//	v1.2.0-rc.1             1.2.0rc1
//	v1.2.3-4-gabc1234       1.2.4.dev4+gabc1234   (the tag's last number + 1, .devN)
//	v1.2.0-rc.1-4-gabc1234  1.2.0rc2.dev4+gabc1234
//	abc1234                 0.0.0+gabc1234        (no tag yet)
//	...-dirty               the local part gets .dirty (+dirty on a tag)
//
// Commits after a tag become a development release of the next version, as
// setuptools-scm does, so they sort after the tag and before the next release.
func PEP440(v string) (string, error) {
	if m := commitRE.FindStringSubmatch(v); m != nil {
		return "0.0.0" + local(m[1], m[2] != ""), nil
	}
	m := describeRE.FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("version %q is neither a tag like v1.2.3 (git describe) nor a commit", v)
	}
	release := numbers(strings.Split(m[1], "."))
	pre, preN := preNames[m[2]], 0
	if m[3] != "" {
		preN = atoi(m[3])
	}
	distance := 0
	if m[4] != "" {
		distance = atoi(m[4])
	}
	if distance > 0 && pre != "" {
		preN++
	} else if distance > 0 {
		release[len(release)-1]++
	}
	out := join(release)
	if pre != "" {
		out += pre + strconv.Itoa(preN)
	}
	if distance > 0 {
		out += ".dev" + strconv.Itoa(distance)
	}
	return out + local(m[5], m[6] != ""), nil
}

// local is the PEP 440 local version label: +gSHA, .dirty.
func local(sha string, dirty bool) string {
	var parts []string
	if sha != "" {
		parts = append(parts, "g"+sha)
	}
	if dirty {
		parts = append(parts, "dirty")
	}
	if len(parts) == 0 {
		return ""
	}
	return "+" + strings.Join(parts, ".")
}

func numbers(s []string) []int {
	n := make([]int, len(s))
	for i, x := range s {
		n[i] = atoi(x)
	}
	return n
}

func join(n []int) string {
	s := make([]string, len(n))
	for i, x := range n {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ".")
}

// atoi parses at most 9 digits, which the regular expressions matched.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
