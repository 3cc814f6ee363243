package manifest

import (
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

var storageFields = fields{Known: []string{"volumes", "ephemeral", "readonly_fs"}}

var volumeFields = fields{Known: []string{"path", "read_only", "efs"}}

var efsFields = fields{Known: []string{"id", "root_dir", "auth", "uid", "gid"}}

func (d *decoder) storage(n *yaml.Node, w *Workload) {
	d.Mapping(n, "storage", storageFields, func(key string, k, v *yaml.Node) {
		p := d.Join("storage", key)
		switch key {
		case "volumes":
			d.userMap(v, p, func(name string, k, v *yaml.Node) {
				if !validContainerName(name) {
					// ECS's rule for volume names is its rule for containers.
					d.Errorf(k, join(p, name), "a volume name must be 1-255 letters, digits, hyphens or underscores")
					return
				}
				if vol, ok := d.volume(v, join(p, name), name); ok {
					w.Volumes = append(w.Volumes, vol)
				}
			})
			sort.Slice(w.Volumes, func(i, j int) bool { return w.Volumes[i].Name < w.Volumes[j].Name })
		case "ephemeral":
			// Fargate gives 20 GiB by default and takes 21-200.
			w.Ephemeral, _ = d.IntRange(v, p, 20, 200)
		case "readonly_fs":
			w.ReadonlyFS, _ = d.Boolean(v, p)
		}
	})
}

func (d *decoder) volume(n *yaml.Node, path, name string) (Volume, bool) {
	vol := Volume{Name: name, ReadOnly: true}
	d.Mapping(n, path, volumeFields, func(key string, _, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "path":
			vol.Path = d.absolutePath(v, p)
		case "read_only":
			vol.ReadOnly, _ = d.Boolean(v, p)
		case "efs":
			vol.EFS = d.efs(v, p)
		}
	})
	if vol.Path == "" && n.Kind == yaml.MappingNode {
		d.Errorf(n, path, "missing field \"path\": where the main container mounts the volume")
		return vol, false
	}
	return vol, true
}

func (d *decoder) efs(n *yaml.Node, path string) *EFS {
	if n.Kind == yaml.ScalarNode {
		// efs: true mounts the environment's file system; false none.
		if managed, ok := d.Boolean(n, path); ok && managed {
			return &EFS{Managed: true, IAM: true}
		}
		return nil
	}
	e := &EFS{IAM: true}
	// own is the first field that names an existing file system; posix
	// the uid or gid key.
	var own, posix *yaml.Node
	var hasUID, hasGID bool
	d.Mapping(n, path, efsFields, func(key string, k, v *yaml.Node) {
		p := d.Join(path, key)
		if key != "uid" && key != "gid" {
			if own == nil {
				own = k
			}
		} else {
			posix = k
		}
		switch key {
		case "uid", "gid":
			hasUID, hasGID = hasUID || key == "uid", hasGID || key == "gid"
			id, ok := d.IntRange(v, p, 0, 1<<32-1)
			if !ok {
				return
			}
			u := uint32(id)
			if key == "uid" {
				e.UID = &u
			} else {
				e.GID = &u
			}
		case "id":
			if v.Kind == yaml.MappingNode {
				d.Mapping(v, p, fields{Known: []string{"from_cfn"}}, func(_ string, _, e2 *yaml.Node) {
					e.Import, _ = d.NonEmpty(e2, join(p, "from_cfn"))
				})
				return
			}
			e.ID, _ = d.NonEmpty(v, p)
			if res, err := checkARN(e.ID, "elasticfilesystem"); err == nil && strings.HasPrefix(res, "file-system/") {
				// ECS mounts by id; the task role's statement names the
				// file system in the stack's own account and region.
				e.ID = strings.TrimPrefix(res, "file-system/")
			}
			if e.ID != "" && !hexID(e.ID, "fs-", 1, 40) {
				d.Errorf(v, p, "must be a file system id such as fs-0123456789abcdef0, or its ARN, got %q", e.ID)
			}
		case "root_dir":
			e.RootDir, _ = d.NonEmpty(v, p)
			if e.RootDir != "" && !strings.HasPrefix(e.RootDir, "/") { // a path inside the file system
				d.Errorf(v, p, "must be an absolute path, got %q", e.RootDir)
			}
		case "auth":
			d.Mapping(v, p, fields{Known: []string{"iam", "access_point_id"}}, func(key string, _, a *yaml.Node) {
				if key == "iam" {
					e.IAM, _ = d.Boolean(a, join(p, key))
					return
				}
				e.AccessPointID, _ = d.NonEmpty(a, join(p, key))
				if e.AccessPointID != "" && !hexID(e.AccessPointID, "fsap-", 8, 40) {
					d.Errorf(a, join(p, key), "must be an access point id such as fsap-0123456789abcdef0, got %q", e.AccessPointID)
				}
			})
		}
	})
	if hasUID || hasGID {
		// Copilot: uid and gid together ask for the environment's file
		// system, with an access point for this POSIX user.
		switch {
		case !hasUID:
			d.Errorf(posix, join(path, "gid"), "must be given with uid")
		case !hasGID:
			d.Errorf(posix, join(path, "uid"), "must be given with gid")
		case own != nil:
			d.Errorf(own, join(path, own.Value), "does not go with uid and gid, which ask for the environment's file system")
		}
		e.Managed = true
		return e
	}
	if e.ID == "" && e.Import == "" && n.Kind == yaml.MappingNode {
		d.Errorf(n, path, "missing field \"id\" (or uid and gid, for the environment's file system)")
		return nil
	}
	// ECS: with an access point, the root directory is the access point's.
	if e.AccessPointID != "" && e.RootDir != "" && e.RootDir != "/" {
		d.Errorf(n, join(path, "root_dir"), "must be empty or / with an access point, whose own root directory applies")
	}
	return e
}

// absolutePath reads a path in a container, which must be absolute; an
// invalid one is reported and kept, so that "path" is not also missing.
func (d *decoder) absolutePath(n *yaml.Node, path string) string {
	p, _ := d.NonEmpty(n, path)
	if p != "" && !absolute(p) {
		d.Errorf(n, path, "must be an absolute path, got %q", p)
	}
	return p
}

// absolute reports whether a container path is absolute: /srv, or C:\srv
// in a Windows container.
func absolute(p string) bool {
	return strings.HasPrefix(p, "/") ||
		len(p) >= 3 && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}
