#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_agent_files
short_description: Lay out a Consul agent's system user, directories and files in one call
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Creates the agent's system user when it is missing, then the directories, then puts the O(binary) sent from the
    controller in place, then writes each file whose content, owner, group or mode differs (atomically, through a
    temporary file in the same directory).
  - One task instead of one per file - M(ansible.builtin.copy) runs two modules per file and host, which is what a
    bootstrap of many hosts spends most of its time on.
  - Contents of O(sensitive_files) (a gossip key, a private key, a configuration that holds a token) are never
    returned, logged or shown as a diff. The action plugin sends them base64-encoded
    (O(sensitive_files[].content_base64)), because Ansible logs a module's arguments on the host (the journal,
    identifier C(ansible-quorum.consul.consul_agent_files)) with newlines escaped, where its masking of a multi-line
    content would find nothing to mask.
attributes:
  check_mode:
    description: Reports what it would change and changes nothing.
    support: full
  diff_mode:
    description: Shows the old and new contents of O(files) (never of O(sensitive_files)).
    support: full
options:
  user:
    description:
      - A system user to create when it does not exist, with no home directory, C(/usr/sbin/nologin) as its shell and
        a group of the same name (an existing group of that name is used). Owners and groups below may name it.
      - An existing user is left as it is.
    type: str
  directories:
    description: Directories to create (with missing parents) and give these owner, group and mode.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory.
        type: path
        required: true
      owner:
        description: Its owner; unchanged when not set.
        type: str
      group:
        description: Its group; unchanged when not set.
        type: str
      mode:
        description: Its mode, as an octal string such as C('0750'); unchanged when not set.
        type: raw
  binary:
    description:
      - A file sent from the controller, such as the consul binary, put in place before O(files) so that their
        C(validate) commands can run it. It replaces the host's file with a rename, never by writing into it, so a
        running agent's binary can be replaced.
      - Its SHA-1 is kept with it in an extended attribute (C(user.quorum.sha1), with its inode, size and modification
        time), which M(quorum.consul.consul_host_info) reports instead of reading the whole file again.
      - It is sent on every call that gives it (one transfer, no checksum round trip before it, unlike
        M(ansible.builtin.copy)); give it only to hosts whose copy differs (the role compares checksums with
        M(quorum.consul.consul_host_info) first). In check mode nothing is sent.
    type: dict
    suboptions:
      src:
        description: The file on the controller; a relative path is looked up as M(ansible.builtin.copy) does (the
          role's or the playbook's C(files/) directories).
        type: path
        required: true
      path:
        description: Where it goes on the host.
        type: path
        required: true
      checksum:
        description: The SHA-1 it must have. A file that arrives with another one fails the call and the host's file is
          left as it was; in check mode, a host's file with this checksum counts as unchanged.
        type: str
      owner:
        description: Its owner; when not set, the user the module runs as for a new file (root with C(become)),
          the replaced file's owner otherwise.
        type: str
      group:
        description: Its group; when not set, that user's group for a new file, the replaced file's group otherwise.
        type: str
      mode:
        description: Its mode, as an octal string such as C('0755'); when not set, C('0600') for a new file, the
          replaced file's mode otherwise.
        type: raw
  files:
    description: Files to write, in this order. A file whose content is already O(files[].content) only gets its
      owner, group and mode fixed.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The file. Its directory must exist (list it in O(directories)).
        type: path
        required: true
      content:
        description: What the file holds.
        type: str
        required: true
      owner:
        description: Its owner; the connecting user's when not set.
        type: str
      group:
        description: Its group; the connecting user's when not set.
        type: str
      mode:
        description: Its mode, as an octal string such as C('0640'); C('0600') for a new file when not set.
        type: raw
      validate:
        description: A command that must succeed on the new content before it replaces the file; C(%s) is the path of
          the temporary file. The file is left alone when it fails.
        type: str
      backup:
        description: Keep the file it replaces next to it, under a name with a timestamp (as M(ansible.builtin.copy)
          does).
        type: bool
        default: false
  sensitive_files:
    description:
      - As O(files), for files whose content is secret; written after O(files).
      - Give O(sensitive_files[].content); the action plugin turns it into O(sensitive_files[].content_base64).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The file. Its directory must exist (list it in O(directories)).
        type: path
        required: true
      content:
        description: What the file holds. Exactly one of O(sensitive_files[].content) and
          O(sensitive_files[].content_base64).
        type: str
      content_base64:
        description: What the file holds, base64-encoded.
        type: str
      owner:
        description: Its owner; the connecting user's when not set.
        type: str
      group:
        description: Its group; the connecting user's when not set.
        type: str
      mode:
        description: Its mode, as an octal string such as C('0640'); C('0600') for a new file when not set.
        type: raw
      validate:
        description: A command that must succeed on the new content before it replaces the file; C(%s) is the path of
          the temporary file. The file is left alone when it fails.
        type: str
      backup:
        description: Keep the file it replaces next to it, under a name with a timestamp (as M(ansible.builtin.copy)
          does).
        type: bool
        default: false
notes:
  - An action plugin of the same name sends O(binary.src) to the host, in the connection's temporary directory.
seealso:
  - module: ansible.builtin.copy
  - module: ansible.builtin.user
"""

EXAMPLES = r"""
- name: Lay out the agent
  quorum.consul.consul_agent_files:
    user: consul
    binary: {src: files/consul, path: /usr/local/bin/consul, owner: root, group: root, mode: "0755"}
    directories:
      - {path: /etc/consul.d, owner: root, group: consul, mode: "0750"}
      - {path: /opt/consul, owner: consul, group: consul, mode: "0750"}
    files:
      - path: /etc/consul.d/consul.json
        content: "{{ {'server': true, 'data_dir': '/opt/consul'} | to_nice_json }}\n"
        owner: root
        group: consul
        mode: "0640"
        validate: /usr/bin/consul validate -quiet -config-format=json %s
    sensitive_files:
      - path: /etc/consul.d/encrypt.json
        content: "{{ {'encrypt': gossip_key} | to_nice_json }}\n"
        owner: root
        group: consul
        mode: "0640"
  register: agent_files

- name: Restart the agent when one of its files changed
  ansible.builtin.systemd_service:
    name: consul
    state: restarted
  when: agent_files.changed_files | length > 0
"""

RETURN = r"""
user_created:
  description: Whether O(user) was created (or would be, in check mode).
  returned: always
  type: bool
changed_directories:
  description: The directories that were created or given another owner, group or mode (or would be).
  returned: always
  type: list
  elements: str
  sample: [/opt/consul]
changed_files:
  description: The files (O(binary) first) that were written or given another owner, group or mode (or would be), in
    the order given.
  returned: always
  type: list
  elements: str
  sample: [/etc/consul.d/consul.json]
backups:
  description: For each replaced file with O(files[].backup), the path of the copy of what it held.
  returned: always
  type: dict
  sample: {/etc/systemd/system/consul.service: /etc/systemd/system/consul.service.12345.2026-11-30@06:00:00~}
"""

import base64
import grp
import os
import pwd
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible_collections.quorum.consul.plugins.module_utils._files import keep_digest, kept_digest


def _file_spec(secret):
    spec = dict(
        path=dict(type='path', required=True),
        content=dict(type='str', required=not secret, no_log=secret),
        owner=dict(type='str'),
        group=dict(type='str'),
        mode=dict(type='raw'),
        validate=dict(type='str'),
        backup=dict(type='bool', default=False),
    )
    if secret:
        spec['content_base64'] = dict(type='str', no_log=True)
    return spec


def _attributes(module, path, spec, follow=False):
    """The file arguments AnsibleModule's attribute helpers take (no SELinux context: the system's default).

    follow: a symlink's target gets them (a data directory linked to a volume), not the link.
    """
    return module.load_file_common_arguments(dict(owner=spec.get('owner'), group=spec.get('group'), mode=spec.get('mode'),
                                                  follow=follow), path=path)


def _ensure_user(module, name):
    try:
        pwd.getpwnam(name)
        return False
    except KeyError:
        pass
    if not module.check_mode:
        try:
            grp.getgrnam(name)
            group_args = ['--gid', name]
        except KeyError:
            group_args = ['--user-group']
        useradd = module.get_bin_path('useradd', required=True)
        module.run_command([useradd, '--system', '--no-create-home', '--shell', '/usr/sbin/nologin'] + group_args + [name],
                           check_rc=True)
    return True


def _ensure_directory(module, spec, unknown_owner):
    path = spec['path']
    created = not os.path.isdir(path)
    if module.check_mode and (created or unknown_owner):
        return True
    if created:
        os.makedirs(path)
    return module.set_fs_attributes_if_different(_attributes(module, path, spec, follow=True), created)


def _read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def _place_binary(module, spec, unknown_owner):
    """Rename the file the action plugin sent (src, on this host) to path when its content differs."""
    path, exists = spec['path'], os.path.exists(spec['path'])
    if module.check_mode:
        differs = not exists or spec.get('checksum') is None or module.sha1(path) != spec['checksum']
        return differs or unknown_owner or module.set_fs_attributes_if_different(_attributes(module, path, spec), False)
    sent = module.sha1(spec['src'])
    if spec.get('checksum') and sent != spec['checksum']:
        module.fail_json(msg='%s arrived with SHA-1 %s, not %s; it was left as it was' % (path, sent, spec['checksum']))
    differs = not exists or kept_digest(path) != sent
    if differs:
        # private until its mode is set below, like the files
        umask = os.umask(0o077)
        try:
            module.atomic_move(spec['src'], path, unsafe_writes=False)
        finally:
            os.umask(umask)
    # the next probes read the binary's SHA-1 from here instead of the whole file
    keep_digest(path, sent)
    return module.set_fs_attributes_if_different(_attributes(module, path, spec), differs)


def _write_file(module, spec, secret, unknown_owner, backups, diffs):
    """Write one file when its content differs, then fix its owner, group and mode. Returns whether it changed."""
    path = spec['path']
    if spec.get('content_base64') is not None:
        content = base64.b64decode(spec['content_base64'])
    else:
        content = to_bytes(spec['content'], errors='surrogate_or_strict')
    before = _read(path)
    differs = before != content
    if differs and not secret and module._diff:
        diffs.append(dict(before_header=path, after_header=path,
                          before=to_native(before or b'', errors='surrogate_or_strict'), after=spec['content']))
    if module.check_mode:
        return differs or unknown_owner or module.set_fs_attributes_if_different(_attributes(module, path, spec), False)
    if differs:
        handle, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=os.path.dirname(path))
        try:
            with os.fdopen(handle, 'wb') as out:
                out.write(content)
            if spec.get('validate'):
                if '%s' not in spec['validate']:
                    module.fail_json(msg='validate of %s must contain %%s: %s' % (path, spec['validate']))
                rc, out, err = module.run_command(spec['validate'] % tmp)
                if rc != 0:
                    # a validator may quote the content it rejects
                    output = dict(stdout='', stderr='') if secret else dict(stdout=out, stderr=err)
                    module.fail_json(msg='%s failed to validate; it was left as it was%s'
                                     % (path, ' (its output is not shown: the file is sensitive)' if secret else ''),
                                     rc=rc, **output)
            if before is not None and spec.get('backup'):
                backups[path] = module.backup_local(path)
            # atomic_move gives a new file the default mode less the umask, until the attributes below are set
            umask = os.umask(0o077)
            try:
                module.atomic_move(tmp, path, unsafe_writes=False)
            finally:
                os.umask(umask)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return module.set_fs_attributes_if_different(_attributes(module, path, spec), differs)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            user=dict(type='str'),
            binary=dict(type='dict', options=dict(
                src=dict(type='path', required=True),
                path=dict(type='path', required=True),
                checksum=dict(type='str'),
                owner=dict(type='str'),
                group=dict(type='str'),
                mode=dict(type='raw'),
            )),
            directories=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True),
                owner=dict(type='str'),
                group=dict(type='str'),
                mode=dict(type='raw'),
            )),
            files=dict(type='list', elements='dict', default=[], options=_file_spec(False)),
            sensitive_files=dict(type='list', elements='dict', default=[], options=_file_spec(True),
                                 mutually_exclusive=[('content', 'content_base64')],
                                 required_one_of=[('content', 'content_base64')]),
        ),
        supports_check_mode=True,
    )
    user = module.params['user']
    user_created = bool(user) and _ensure_user(module, user)
    # in check mode a user still to be created owns nothing yet: every path that names it would change
    unknown_owner = user_created and module.check_mode
    directories = [spec['path'] for spec in module.params['directories'] if _ensure_directory(module, spec, unknown_owner)]
    binary = module.params['binary']
    files = [binary['path']] if binary and _place_binary(module, binary, unknown_owner) else []
    backups, diffs = {}, []
    for secret, key in ((False, 'files'), (True, 'sensitive_files')):
        files.extend(spec['path'] for spec in module.params[key]
                     if _write_file(module, spec, secret, unknown_owner, backups, diffs))
    module.exit_json(changed=user_created or bool(directories or files), user_created=user_created,
                     changed_directories=directories, changed_files=files, backups=backups, diff=diffs)


if __name__ == '__main__':
    main()
