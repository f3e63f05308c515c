package golden

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/rofix/rofix/rewrite"
	"github.com/rofix/rofix/rewrite/finding"
	"github.com/rofix/rofix/rewrite/policy"
)

// The Kubernetes oracle decodes manifests with the Kubernetes API types and
// strict decoding (sigs.k8s.io/yaml, as kubectl reads files): unknown or
// duplicate fields are errors. It is a test-only dependency.

// newObject returns an empty typed object for a kind, or nil.
func newObject(kind string) any {
	switch kind {
	case "Pod":
		return &corev1.Pod{}
	case "PodTemplate":
		return &corev1.PodTemplate{}
	case "ReplicationController":
		return &corev1.ReplicationController{}
	case "Deployment":
		return &appsv1.Deployment{}
	case "StatefulSet":
		return &appsv1.StatefulSet{}
	case "DaemonSet":
		return &appsv1.DaemonSet{}
	case "ReplicaSet":
		return &appsv1.ReplicaSet{}
	case "Job":
		return &batchv1.Job{}
	case "CronJob":
		return &batchv1.CronJob{}
	case "List":
		return &corev1.List{}
	}
	return nil
}

// podSpecs returns the pod specs of a decoded object (a list's items
// decoded in turn).
func podSpecs(obj any) ([]*corev1.PodSpec, error) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return []*corev1.PodSpec{&o.Spec}, nil
	case *corev1.PodTemplate:
		return []*corev1.PodSpec{&o.Template.Spec}, nil
	case *corev1.ReplicationController:
		if o.Spec.Template == nil {
			return nil, nil
		}
		return []*corev1.PodSpec{&o.Spec.Template.Spec}, nil
	case *appsv1.Deployment:
		return []*corev1.PodSpec{&o.Spec.Template.Spec}, nil
	case *appsv1.StatefulSet:
		return []*corev1.PodSpec{&o.Spec.Template.Spec}, nil
	case *appsv1.DaemonSet:
		return []*corev1.PodSpec{&o.Spec.Template.Spec}, nil
	case *appsv1.ReplicaSet:
		return []*corev1.PodSpec{&o.Spec.Template.Spec}, nil
	case *batchv1.Job:
		return []*corev1.PodSpec{&o.Spec.Template.Spec}, nil
	case *batchv1.CronJob:
		return []*corev1.PodSpec{&o.Spec.JobTemplate.Spec.Template.Spec}, nil
	}
	return nil, nil
}

// oracleObject is one decoded workload: its kind, and its pod specs.
type oracleObject struct {
	kind  string
	obj   any
	specs []*corev1.PodSpec
}

// decodeManifest strictly decodes every workload of a file; other kinds
// are skipped. An error means the Kubernetes API types refuse the file.
func decodeManifest(src []byte) ([]oracleObject, error) {
	var out []oracleObject
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		text, err := yaml.Marshal(&doc)
		if err != nil {
			return nil, err
		}
		js, err := sigsyaml.YAMLToJSONStrict(text)
		if err != nil {
			return nil, err
		}
		objs, err := decodeJSON(js, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
}

func decodeJSON(js []byte, depth int) ([]oracleObject, error) {
	var meta struct{ Kind string }
	if err := json.Unmarshal(js, &meta); err != nil || depth > 5 {
		return nil, nil // not an object (null document, a scalar)
	}
	obj := newObject(meta.Kind)
	if obj == nil {
		return nil, nil
	}
	if err := sigsyaml.UnmarshalStrict(js, obj); err != nil {
		return nil, fmt.Errorf("%s: %w", meta.Kind, err)
	}
	if l, ok := obj.(*corev1.List); ok {
		var out []oracleObject
		for _, item := range l.Items {
			objs, err := decodeJSON(item.Raw, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
		}
		return out, nil
	}
	specs, err := podSpecs(obj)
	return []oracleObject{{meta.Kind, obj, specs}}, err
}

// TestKubeOracle: every manifest of the corpus that the Kubernetes API
// types load strictly before hardening loads after it; every container is
// read-only with a writable /tmp and allowPrivilegeEscalation: false, or a
// finding says why not; and once the hardening fields are put back as they
// were, the objects are identical.
func TestKubeOracle(t *testing.T) {
	dir := sharedCorpus(t, "kubernetes")
	var files, loaded, containers int
	for _, file := range corpusFiles(t, dir) {
		rel, _ := filepath.Rel(dir, file)
		if strings.HasSuffix(rel, ".md") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		files++
		for _, mode := range []policy.ROMounts{policy.ROMountsAuto, policy.ROMountsBinds} {
			pol := policy.Default()
			pol.ROMounts = mode
			n, ok := checkKubeOracle(t, rel, src, pol)
			if ok && mode == policy.ROMountsAuto {
				loaded++
				containers += n
			}
		}
		// The opt-in rules on: the same, and every container drops ALL
		// or says why, runs non-root or says why.
		pol := policy.Default()
		pol.On = finding.OptInRules()
		checkKubeOracle(t, rel, src, pol)
	}
	t.Logf("kubernetes oracle: %d files, %d loaded strictly before and after hardening, %d containers checked", files, loaded, containers)
}

func checkKubeOracle(t *testing.T, name string, src []byte, pol policy.Policy) (int, bool) {
	t.Helper()
	before, err := decodeManifest(src)
	if err != nil {
		return 0, false // the API types refuse the input: nothing to compare
	}
	res := rewrite.Process(name, src, rewrite.Kube, pol)
	if res.Err != nil {
		t.Errorf("%s: the API types load it but rofix refuses: %v", name, res.Err)
		return 0, false
	}
	after, err := decodeManifest(res.Out)
	if err != nil {
		t.Errorf("%s: the API types load the input but not the output: %v", name, err)
		return 0, false
	}
	if len(after) != len(before) {
		t.Errorf("%s: %d workloads before, %d after", name, len(before), len(after))
		return 0, false
	}
	reported := map[string]bool{}
	for _, f := range res.Findings {
		if !f.Fixed {
			reported[string(f.Rule)] = true
		}
	}
	skipped := reported[string(finding.Unsupported)] || reported[string(finding.Directive)]
	n := 0
	for i := range before {
		for j, spec := range after[i].specs {
			n += len(spec.Containers) + len(spec.InitContainers)
			if !skipped {
				checkPodHardened(t, name, after[i].kind, spec, reported)
				if len(pol.On) > 0 {
					checkPodPrivileges(t, name, after[i].kind, spec, reported)
				}
			}
			restorePodSpec(before[i].specs[j], spec)
		}
		if !reflect.DeepEqual(before[i].obj, after[i].obj) {
			b, _ := json.Marshal(before[i].obj)
			a, _ := json.Marshal(after[i].obj)
			t.Errorf("%s: %s differs beyond the hardening fields:\n%s\n%s", name, after[i].kind, b, a)
		}
	}
	return n, true
}

// checkPodHardened checks each container of a hardened pod spec.
func checkPodHardened(t *testing.T, name, kind string, spec *corev1.PodSpec, reported map[string]bool) {
	t.Helper()
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	for _, c := range append(append([]corev1.Container(nil), spec.InitContainers...), spec.Containers...) {
		sc := c.SecurityContext
		ro := sc != nil && sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem
		if !ro && !reported[string(finding.ReadOnly)] {
			t.Errorf("%s: %s container %s is not read-only and nothing says why", name, kind, c.Name)
		}
		if ro {
			tmp := false
			for _, m := range c.VolumeMounts {
				if path.Clean(m.MountPath) == "/tmp" {
					tmp = volumes[m.Name].Name != ""
				}
			}
			if !tmp && !reported[string(finding.Tmpfs)] {
				t.Errorf("%s: %s container %s is read-only without a volume on /tmp", name, kind, c.Name)
			}
		}
		ape := sc != nil && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation
		if !ape && !reported[string(finding.NoNewPrivileges)] {
			t.Errorf("%s: %s container %s allows privilege escalation and nothing says why", name, kind, c.Name)
		}
	}
}

// checkPodPrivileges checks the opt-in rules on each container of a
// hardened pod spec: capabilities drop ALL, or a cap-drop finding says
// why not; a non-root user (the container's or the pod's), or a non-root
// finding says why not. Privileged containers are left alone (reported).
func checkPodPrivileges(t *testing.T, name, kind string, spec *corev1.PodSpec, reported map[string]bool) {
	t.Helper()
	podNonRoot := spec.SecurityContext != nil && (spec.SecurityContext.RunAsUser != nil || spec.SecurityContext.RunAsNonRoot != nil)
	for _, c := range append(spec.InitContainers, spec.Containers...) {
		sc := c.SecurityContext
		if sc != nil && sc.Privileged != nil && *sc.Privileged {
			continue
		}
		dropsAll := sc != nil && sc.Capabilities != nil && slices.ContainsFunc(sc.Capabilities.Drop, func(c corev1.Capability) bool { return strings.EqualFold(string(c), "ALL") })
		if !dropsAll && !reported[string(finding.CapDrop)] && !reported[string(finding.ReadOnly)] {
			t.Errorf("%s: %s container %s keeps the default capabilities and nothing says why", name, kind, c.Name)
		}
		nonRoot := podNonRoot || sc != nil && (sc.RunAsUser != nil || sc.RunAsNonRoot != nil)
		if !nonRoot && !reported[string(finding.NonRoot)] && !reported[string(finding.ReadOnly)] {
			t.Errorf("%s: %s container %s runs as the image's user and nothing says why", name, kind, c.Name)
		}
	}
}

// restorePodSpec puts the hardening fields of after back as they are in
// before: the two securityContext fields, the readOnly flags of mounts,
// the added mounts and volumes.
func restorePodSpec(before, after *corev1.PodSpec) {
	known := map[string]bool{}
	for _, v := range before.Volumes {
		known[v.Name] = true
	}
	added := map[string]bool{}
	var vols []corev1.Volume
	for _, v := range after.Volumes {
		if known[v.Name] {
			vols = append(vols, v)
		} else {
			added[v.Name] = true
		}
	}
	if len(vols) == 0 {
		vols = before.Volumes
	}
	after.Volumes = vols
	restore := func(b, a []corev1.Container) {
		for i := range a {
			if i >= len(b) {
				return
			}
			restoreContainer(&b[i], &a[i], added)
		}
	}
	restore(before.InitContainers, after.InitContainers)
	restore(before.Containers, after.Containers)
}

func restoreContainer(b, a *corev1.Container, added map[string]bool) {
	if a.SecurityContext != nil {
		if b.SecurityContext == nil {
			a.SecurityContext.ReadOnlyRootFilesystem, a.SecurityContext.AllowPrivilegeEscalation = nil, nil
			a.SecurityContext.Capabilities, a.SecurityContext.RunAsUser, a.SecurityContext.RunAsGroup, a.SecurityContext.RunAsNonRoot = nil, nil, nil, nil
			if reflect.ValueOf(*a.SecurityContext).IsZero() {
				a.SecurityContext = nil
			}
		} else {
			a.SecurityContext.ReadOnlyRootFilesystem = b.SecurityContext.ReadOnlyRootFilesystem
			a.SecurityContext.AllowPrivilegeEscalation = b.SecurityContext.AllowPrivilegeEscalation
			a.SecurityContext.Capabilities = b.SecurityContext.Capabilities
			a.SecurityContext.RunAsUser, a.SecurityContext.RunAsGroup = b.SecurityContext.RunAsUser, b.SecurityContext.RunAsGroup
			a.SecurityContext.RunAsNonRoot = b.SecurityContext.RunAsNonRoot
		}
	}
	var mounts []corev1.VolumeMount
	for _, m := range a.VolumeMounts {
		if !added[m.Name] {
			mounts = append(mounts, m)
		}
	}
	for i := range mounts {
		if i < len(b.VolumeMounts) {
			mounts[i].ReadOnly = b.VolumeMounts[i].ReadOnly
		}
	}
	if len(mounts) == 0 && len(b.VolumeMounts) == 0 {
		mounts = b.VolumeMounts
	}
	a.VolumeMounts = mounts
}
