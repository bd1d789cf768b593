import Testing
@testable import PodRunKit

/// One rule: a pod description built in the test (so every position is known) and every
/// diagnostic it must produce, exactly as printed: `FILE:LINE:COLUMN: SEVERITY: PATH: MESSAGE; FIX`.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let text: String
    let expected: [String]

    /// The fields are added to `Spec.pod()`: `container` at line 9 under the container `main`,
    /// `spec` after them.
    init(_ rule: String, container: String, spec: String, _ expected: [String]) {
        self.rule = rule
        self.text = Spec.pod(container: container, spec: spec)
        self.expected = expected
    }

    init(_ rule: String, text: String, _ expected: [String]) {
        self.rule = rule
        self.text = text
        self.expected = expected
    }

    var testDescription: String { rule }
}

@Suite("Pod validation: every rule, with its message, field path, severity and position")
struct PodValidationTests {
    static let cases: [ValidationCase] = [
        ValidationCase(
            "wrong types are reported with the expected type and, for quoted or bare scalars, the fix",
            container: """
            args: "--verbose"
            workingDir: 42
            ports:
            - containerPort: "8080"
            - containerPort: 80.5
            readinessProbe:
              exec: {command: [x]}
              periodSeconds: yes
            """,
            spec: """
            terminationGracePeriodSeconds: thirty
            volumes: {}
            """,
            [
                #"pod.yaml:9:11: error: spec.containers[0].args: expected a list, found a string; write it as a list, e.g. ["--verbose"]"#,
                #"pod.yaml:10:17: error: spec.containers[0].workingDir: expected a string, found a number; quote it: "42""#,
                #"pod.yaml:12:22: error: spec.containers[0].ports[0].containerPort: expected a number, found a string; remove the quotes: 8080"#,
                #"pod.yaml:13:22: error: spec.containers[0].ports[1].containerPort: expected a whole number, found 80.5"#,
                #"pod.yaml:16:22: error: spec.containers[0].readinessProbe.periodSeconds: expected a whole number, found a boolean"#,
                #"pod.yaml:17:34: error: spec.terminationGracePeriodSeconds: expected a whole number, found a string"#,
                #"pod.yaml:18:12: error: spec.volumes: expected a list, found an object"#,
            ]),
        ValidationCase(
            "YAML 1.1 booleans and numbers are not strings (Kubernetes decodes them the same way)",
            container: """
            image: 1.0
            args: [yes, no, 1, 2.5]
            """,
            spec: "",
            [
                #"pod.yaml:9:12: error: spec.containers[0].image: expected a string, found a number; quote it: "1.0""#,
                #"pod.yaml:10:12: error: spec.containers[0].args[0]: expected a string, found a boolean; quote it: "yes""#,
                #"pod.yaml:10:17: error: spec.containers[0].args[1]: expected a string, found a boolean; quote it: "no""#,
                #"pod.yaml:10:21: error: spec.containers[0].args[2]: expected a string, found a number; quote it: "1""#,
                #"pod.yaml:10:24: error: spec.containers[0].args[3]: expected a string, found a number; quote it: "2.5""#,
            ]),
        ValidationCase(
            "unknown fields are errors, with \"did you mean\" for near misses of known or ignored fields",
            container: """
            comand: [x]
            imagePullPolcy: Always
            portz: []
            """,
            spec: """
            initContainer: []
            foo: 1
            """,
            [
                #"pod.yaml:9:5: error: spec.containers[0].comand: unknown field "comand"; did you mean "command"?"#,
                #"pod.yaml:10:5: error: spec.containers[0].imagePullPolcy: unknown field "imagePullPolcy"; did you mean "imagePullPolicy"?"#,
                #"pod.yaml:11:5: error: spec.containers[0].portz: unknown field "portz"; did you mean "ports"?"#,
                #"pod.yaml:12:3: error: spec.initContainer: unknown field "initContainer"; did you mean "initContainers"?"#,
                #"pod.yaml:13:3: error: spec.foo: unknown field "foo""#,
            ]),
        ValidationCase(
            "a misspelt required field gives one diagnostic, not a second \"missing\" one",
            container: "nam: main2",
            spec: "",
            [
                #"pod.yaml:9:5: error: spec.containers[0].nam: unknown field "nam"; did you mean "name"?"#,
            ]),
        ValidationCase(
            "Kubernetes fields podrun ignores give one warning naming them all, and the pod still loads",
            container: """
            imagePullPolicy: IfNotPresent
            resources: {limits: {cpu: "1"}}
            securityContext: {runAsUser: 1000}
            """,
            spec: """
            nodeSelector: {disk: ssd}
            tolerations: []
            affinity: {}
            serviceAccountName: builder
            """,
            [
                #"pod.yaml:9:5: warning: podrun accepts but does not act on these Kubernetes fields: spec.containers[0].imagePullPolicy (line 9), spec.containers[0].resources (line 10), spec.containers[0].securityContext (line 11), spec.nodeSelector (line 12), spec.tolerations (line 13), spec.affinity (line 14), spec.serviceAccountName (line 15)"#,
            ]),
        ValidationCase(
            "container names are unique across init and regular containers",
            container: "",
            spec: """
            initContainers:
            - name: main
              command: [x]
            - name: setup
              command: [x]
            - name: setup
              command: [x]
            """,
            [
                #"pod.yaml:7:11: error: spec.containers[0].name: duplicate container name "main" (also at spec.initContainers[0]); names are unique across initContainers and containers"#,
                #"pod.yaml:14:11: error: spec.initContainers[2].name: duplicate container name "setup" (also at spec.initContainers[1]); names are unique across initContainers and containers"#,
            ]),
        ValidationCase(
            "container and volume names must be RFC 1123 labels; the fix suggests one",
            container: "",
            spec: """
            initContainers:
            - name: Setup_Step
              command: [x]
            - name: -init
              command: [x]
            - name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
              command: [x]
            volumes:
            - name: Data.Dir
            """,
            [
                #"pod.yaml:10:11: error: spec.initContainers[0].name: invalid container name "Setup_Step": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character; e.g. "setup-step""#,
                #"pod.yaml:12:11: error: spec.initContainers[1].name: invalid container name "-init": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character; e.g. "init""#,
                #"pod.yaml:14:11: error: spec.initContainers[2].name: invalid container name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": must be no more than 63 characters; e.g. "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa""#,
                #"pod.yaml:17:11: error: spec.volumes[0].name: invalid volume name "Data.Dir": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character; e.g. "data-dir""#,
            ]),
        ValidationCase(
            "a port name used twice in a container is an error, in two containers a warning (as in Kubernetes)",
            container: """
            ports:
            - {name: http, containerPort: 8080}
            - {name: http, containerPort: 8081}
            """,
            spec: """
            initContainers:
            - name: side
              command: [x]
              restartPolicy: Always
              ports:
              - {name: http, containerPort: 9090}
            """,
            [
                #"pod.yaml:10:14: warning: spec.containers[0].ports[0].name: duplicate port name "http" (also at spec.initContainers[0].ports[0]); Kubernetes Services that select ports by name would use spec.initContainers[0].ports[0]"#,
                #"pod.yaml:11:14: error: spec.containers[0].ports[1].name: duplicate port name "http" (also at spec.containers[0].ports[0]); port names are unique in a container"#,
            ]),
        ValidationCase(
            "port names must be IANA service names",
            container: """
            ports:
            - {name: HTTP, containerPort: 80}
            - {name: "8080", containerPort: 81}
            - {name: a-very-long-port-name, containerPort: 82}
            - {name: web--ui, containerPort: 83}
            """,
            spec: "",
            [
                #"pod.yaml:10:14: error: spec.containers[0].ports[0].name: invalid port name "HTTP": must contain only lower case alphanumeric characters (a-z, 0-9) and '-'"#,
                #"pod.yaml:11:14: error: spec.containers[0].ports[1].name: invalid port name "8080": must contain at least one letter (a-z)"#,
                #"pod.yaml:12:14: error: spec.containers[0].ports[2].name: invalid port name "a-very-long-port-name": must be no more than 15 characters"#,
                #"pod.yaml:13:14: error: spec.containers[0].ports[3].name: invalid port name "web--ui": must not contain consecutive hyphens"#,
            ]),
        ValidationCase(
            "a volumeMount must name a defined volume, and volume names are unique",
            container: """
            volumeMounts:
            - {name: dta, mountPath: /data}
            - {name: logs, mountPath: /logs}
            """,
            spec: """
            volumes:
            - {name: data, emptyDir: {}}
            - {name: data, emptyDir: {}}
            """,
            [
                #"pod.yaml:10:14: error: spec.containers[0].volumeMounts[0].name: volume "dta" is not defined in spec.volumes; did you mean "data"?"#,
                #"pod.yaml:11:14: error: spec.containers[0].volumeMounts[1].name: volume "logs" is not defined in spec.volumes; add it: volumes: [{name: logs, emptyDir: {}}]"#,
                #"pod.yaml:14:12: error: spec.volumes[1].name: duplicate volume name "data" (also at spec.volumes[0])"#,
            ]),
        ValidationCase(
            "only emptyDir and hostPath volumes exist; other types are explained, and a volume has one type",
            container: "",
            spec: """
            volumes:
            - name: cfg
              configMap: {name: settings}
            - name: creds
              secret: {secretName: creds}
            - name: claim
              persistentVolumeClaim: {claimName: c}
            - name: both
              emptyDir: {}
              hostPath: {path: /tmp}
            """,
            [
                #"pod.yaml:11:16: error: spec.volumes[0].configMap: configMap volumes are not supported: podrun has only emptyDir and hostPath; use emptyDir: {} and let a container or init container write the files, or hostPath: {path: /some/dir} for files on this machine"#,
                #"pod.yaml:13:13: error: spec.volumes[1].secret: secret volumes are not supported: podrun has only emptyDir and hostPath; use emptyDir: {} and let a container or init container write the files, or hostPath: {path: /some/dir} for files on this machine"#,
                #"pod.yaml:15:28: error: spec.volumes[2].persistentVolumeClaim: persistentVolumeClaim volumes are not supported: podrun has only emptyDir and hostPath; use emptyDir: {} and let a container or init container write the files, or hostPath: {path: /some/dir} for files on this machine"#,
                #"pod.yaml:16:5: error: spec.volumes[3]: a volume may have only one type, found emptyDir and hostPath; keep one of them"#,
            ]),
        ValidationCase(
            "emptyDir medium and sizeLimit are checked; hostPath paths are absolute",
            container: "",
            spec: """
            volumes:
            - name: a
              emptyDir: {medium: HugePages-2Mi}
            - name: b
              emptyDir: {sizeLimit: lots}
            - name: c
              emptyDir: {sizeLimit: 1Gi}
            - name: d
              hostPath: {path: relative/dir}
            """,
            [
                #"pod.yaml:11:24: error: spec.volumes[0].emptyDir.medium: unsupported medium "HugePages-2Mi"; use "" (disk) or "Memory""#,
                #"pod.yaml:13:27: error: spec.volumes[1].emptyDir.sizeLimit: "lots" is not a quantity; write a size such as 64Mi, 1Gi or 500M"#,
                #"pod.yaml:17:22: error: spec.volumes[3].hostPath.path: hostPath "relative/dir" must be an absolute path"#,
            ]),
        ValidationCase(
            "successThreshold must be 1 for liveness and startup probes, and may be more for readiness",
            container: """
            livenessProbe:
              exec: {command: [x]}
              successThreshold: 2
            startupProbe:
              exec: {command: [x]}
              successThreshold: 3
            readinessProbe:
              exec: {command: [x]}
              successThreshold: 5
            """,
            spec: "",
            [
                #"pod.yaml:11:25: error: spec.containers[0].livenessProbe.successThreshold: must be 1 for a livenessProbe, found 2; remove it or set successThreshold: 1"#,
                #"pod.yaml:14:25: error: spec.containers[0].startupProbe.successThreshold: must be 1 for a startupProbe, found 3; remove it or set successThreshold: 1"#,
            ]),
        ValidationCase(
            "regular init containers may not have probes or lifecycle hooks; sidecars may",
            container: "",
            spec: """
            initContainers:
            - name: setup
              command: [x]
              startupProbe: {exec: {command: [x]}}
              readinessProbe: {exec: {command: [x]}}
              livenessProbe: {exec: {command: [x]}}
              lifecycle: {preStop: {exec: {command: [x]}}}
            - name: side
              command: [x]
              restartPolicy: Always
              startupProbe: {exec: {command: [x]}}
              readinessProbe: {exec: {command: [x]}}
              livenessProbe: {exec: {command: [x]}}
              lifecycle: {preStop: {exec: {command: [x]}}}
            """,
            [
                #"pod.yaml:12:19: error: spec.initContainers[0].startupProbe: an init container may not have a startupProbe; only sidecars (init containers with restartPolicy: Always) may have probes and lifecycle hooks"#,
                #"pod.yaml:13:21: error: spec.initContainers[0].readinessProbe: an init container may not have a readinessProbe; only sidecars (init containers with restartPolicy: Always) may have probes and lifecycle hooks"#,
                #"pod.yaml:14:20: error: spec.initContainers[0].livenessProbe: an init container may not have a livenessProbe; only sidecars (init containers with restartPolicy: Always) may have probes and lifecycle hooks"#,
                #"pod.yaml:15:16: error: spec.initContainers[0].lifecycle: an init container may not have lifecycle hooks; only sidecars (init containers with restartPolicy: Always) may have probes and lifecycle hooks"#,
            ]),
        ValidationCase(
            "a probe's terminationGracePeriodSeconds is not allowed on readiness, and must be positive elsewhere",
            container: """
            readinessProbe:
              exec: {command: [x]}
              terminationGracePeriodSeconds: 10
            livenessProbe:
              exec: {command: [x]}
              terminationGracePeriodSeconds: 0
            """,
            spec: "",
            [
                #"pod.yaml:11:38: error: spec.containers[0].readinessProbe.terminationGracePeriodSeconds: not allowed on a readinessProbe (it never kills the container); remove it, or move it to the livenessProbe or startupProbe"#,
                #"pod.yaml:14:38: error: spec.containers[0].livenessProbe.terminationGracePeriodSeconds: 0 is out of range: must be at least 1"#,
            ]),
        ValidationCase(
            "probes and hooks have exactly one handler",
            container: """
            readinessProbe:
              periodSeconds: 5
            livenessProbe:
              exec: {command: [x]}
              httpGet: {port: 80}
            lifecycle:
              postStart: {}
              preStop:
                exec: {command: [x]}
                sleep: {seconds: 1}
            """,
            spec: "",
            [
                #"pod.yaml:10:7: error: spec.containers[0].readinessProbe: a probe needs exactly one handler; add one of exec, httpGet or tcpSocket"#,
                #"pod.yaml:12:7: error: spec.containers[0].livenessProbe: a probe may have only one handler, found exec, httpGet; keep one of them"#,
                #"pod.yaml:15:18: error: spec.containers[0].lifecycle.postStart: a hook needs exactly one handler; add one of exec, httpGet or sleep"#,
                #"pod.yaml:17:9: error: spec.containers[0].lifecycle.preStop: a hook may have only one handler, found exec, sleep; keep one of them"#,
            ]),
        ValidationCase(
            "probe timings and thresholds may not be negative (0 means the default)",
            container: """
            readinessProbe:
              exec: {command: [x]}
              periodSeconds: -1
              timeoutSeconds: -5
              successThreshold: -1
              failureThreshold: -2
              initialDelaySeconds: -3
            """,
            spec: "",
            [
                #"pod.yaml:11:22: error: spec.containers[0].readinessProbe.periodSeconds: -1 is out of range: must be at least 0 (0 means the default, 10)"#,
                #"pod.yaml:12:23: error: spec.containers[0].readinessProbe.timeoutSeconds: -5 is out of range: must be at least 0 (0 means the default, 1)"#,
                #"pod.yaml:13:25: error: spec.containers[0].readinessProbe.successThreshold: -1 is out of range: must be at least 0 (0 means the default, 1)"#,
                #"pod.yaml:14:25: error: spec.containers[0].readinessProbe.failureThreshold: -2 is out of range: must be at least 0 (0 means the default, 3)"#,
                #"pod.yaml:15:28: error: spec.containers[0].readinessProbe.initialDelaySeconds: -3 is out of range: must be at least 0"#,
            ]),
        ValidationCase(
            "ports are between 1 and 65535 (hostPort 0 means none)",
            container: """
            ports:
            - containerPort: 0
            - containerPort: 65536
            - containerPort: 80
              hostPort: 70000
            - containerPort: -1
            readinessProbe:
              tcpSocket: {port: 0}
            """,
            spec: "",
            [
                #"pod.yaml:10:22: error: spec.containers[0].ports[0].containerPort: 0 is out of range: must be between 1 and 65535"#,
                #"pod.yaml:11:22: error: spec.containers[0].ports[1].containerPort: 65536 is out of range: must be between 1 and 65535"#,
                #"pod.yaml:13:17: error: spec.containers[0].ports[2].hostPort: 70000 is out of range: must be between 1 and 65535 (or 0 for none)"#,
                #"pod.yaml:14:22: error: spec.containers[0].ports[3].containerPort: -1 is out of range: must be between 1 and 65535"#,
                #"pod.yaml:16:25: error: spec.containers[0].readinessProbe.tcpSocket.port: 0 is out of range: must be between 1 and 65535"#,
            ]),
        ValidationCase(
            "hostPorts are unique; a containerPort declared twice is a warning",
            container: """
            ports:
            - {containerPort: 80, hostPort: 8080}
            - {containerPort: 81, hostPort: 8080}
            - {containerPort: 80}
            """,
            spec: "",
            [
                #"pod.yaml:11:37: error: spec.containers[0].ports[1].hostPort: duplicate hostPort 8080/TCP (also at spec.containers[0].ports[0])"#,
                #"pod.yaml:12:23: warning: spec.containers[0].ports[2].containerPort: containerPort 80/TCP is also declared at spec.containers[0].ports[0]; the containers of a pod share one network, so only one of them can listen on it"#,
            ]),
        ValidationCase(
            "named probe and hook ports must be ports of the same container",
            container: """
            ports:
            - {name: http, containerPort: 8080}
            readinessProbe:
              httpGet: {port: htp}
            livenessProbe:
              tcpSocket: {port: Bad_Name}
            lifecycle:
              preStop:
                httpGet: {port: admin}
            """,
            spec: """
            initContainers:
            - name: side
              restartPolicy: Always
              command: [x]
              startupProbe:
                tcpSocket: {port: web}
            """,
            [
                #"pod.yaml:12:23: error: spec.containers[0].readinessProbe.httpGet.port: container "main" has no port named "htp"; use one of http or a port number"#,
                #"pod.yaml:14:25: error: spec.containers[0].livenessProbe.tcpSocket.port: invalid port name "Bad_Name": must contain only lower case alphanumeric characters (a-z, 0-9) and '-'; give a number or the name of one of the container's ports"#,
                #"pod.yaml:17:25: error: spec.containers[0].lifecycle.preStop.httpGet.port: container "main" has no port named "admin"; use one of http or a port number"#,
                #"pod.yaml:23:25: error: spec.initContainers[0].startupProbe.tcpSocket.port: container "side" has no port named "web"; add ports: [{name: web, containerPort: …}] to the container or give the port number"#,
            ]),
        ValidationCase(
            "restartPolicyRules need a container restartPolicy, are not for sidecars, and are checked",
            container: """
            restartPolicyRules:
            - action: Restart
              exitCodes: {operator: In, values: [42]}
            """,
            spec: """
            initContainers:
            - name: side
              command: [x]
              restartPolicy: Always
              restartPolicyRules:
              - action: Restart
                exitCodes: {operator: In, values: [1]}
            - name: once
              command: [x]
              restartPolicy: Never
              restartPolicyRules:
              - action: Restrat
                exitCodes: {operator: Inn, values: []}
              - action: Restart
                exitCodes: {operator: NotIn, values: [256]}
            """,
            [
                #"pod.yaml:10:5: error: spec.containers[0].restartPolicyRules: allowed only with a container restartPolicy; add restartPolicy: Never (or OnFailure) to the container"#,
                #"pod.yaml:17:5: error: spec.initContainers[0].restartPolicyRules: a sidecar (an init container with restartPolicy: Always) may not have restartPolicyRules; it is always restarted"#,
                #"pod.yaml:23:15: error: spec.initContainers[1].restartPolicyRules[0].action: unsupported value "Restrat"; did you mean "Restart"?"#,
                #"pod.yaml:24:29: error: spec.initContainers[1].restartPolicyRules[0].exitCodes.operator: unsupported value "Inn"; did you mean "In"?"#,
                #"pod.yaml:24:42: error: spec.initContainers[1].restartPolicyRules[0].exitCodes.values: must not be empty; list the exit codes, e.g. values: [42]"#,
                #"pod.yaml:26:45: error: spec.initContainers[1].restartPolicyRules[1].exitCodes.values[0]: 256 is out of range: must be an exit code between 0 and 255"#,
            ]),
        ValidationCase(
            "unsupported env sources are rejected with the reason; fieldRef paths are checked",
            container: """
            env:
            - name: A
              valueFrom:
                configMapKeyRef: {name: cfg, key: a}
            - name: B
              valueFrom:
                secretKeyRef: {name: s, key: b}
            - name: C
              valueFrom:
                resourceFieldRef: {resource: limits.cpu}
            - name: D
              valueFrom: {}
            - name: E
              value: x
              valueFrom:
                fieldRef: {fieldPath: metadata.name}
            - name: F
              valueFrom:
                fieldRef: {fieldPath: status.phase}
            - name: G
              value: ""
              valueFrom:
                fieldRef:
                  fieldPath: metadata.labels['app']
            envFrom:
            - configMapRef: {name: cfg}
            """,
            spec: "",
            [
                #"pod.yaml:12:26: error: spec.containers[0].env[0].valueFrom.configMapKeyRef: configMapKeyRef is not supported: podrun has no ConfigMaps; write the value under value: instead"#,
                #"pod.yaml:15:23: error: spec.containers[0].env[1].valueFrom.secretKeyRef: secretKeyRef is not supported: podrun has no Secrets; write the value under value: instead"#,
                #"pod.yaml:18:27: error: spec.containers[0].env[2].valueFrom.resourceFieldRef: resourceFieldRef is not supported: podrun sets no resource limits; write the value under value: instead"#,
                #"pod.yaml:20:18: error: spec.containers[0].env[3].valueFrom: needs a fieldRef, the only source podrun supports; e.g. valueFrom: {fieldRef: {fieldPath: metadata.name}}"#,
                #"pod.yaml:24:9: error: spec.containers[0].env[4].valueFrom: a variable may not have both value and valueFrom; keep one of them"#,
                #"pod.yaml:27:31: error: spec.containers[0].env[5].valueFrom.fieldRef.fieldPath: unsupported fieldPath "status.phase"; use one of metadata.name, metadata.namespace, metadata.uid, spec.nodeName, spec.serviceAccountName, status.podIP, status.podIPs, status.hostIP, status.hostIPs, metadata.labels['KEY'], metadata.annotations['KEY']"#,
                #"pod.yaml:34:5: error: spec.containers[0].envFrom: envFrom is not supported: podrun has no ConfigMaps or Secrets; list the variables under env with value: …"#,
            ]),
        ValidationCase(
            "mount paths are absolute and unique in a container; subPath stays inside the volume",
            container: """
            volumeMounts:
            - {name: data, mountPath: data}
            - {name: data, mountPath: /data/}
            - {name: data, mountPath: /data}
            - {name: data, mountPath: /x, subPath: ../etc}
            - {name: data, mountPath: /y, subPath: /abs}
            - {name: data, mountPath: /z, subPathExpr: $(POD)}
            """,
            spec: """
            volumes:
            - {name: data, emptyDir: {}}
            """,
            [
                #"pod.yaml:10:31: error: spec.containers[0].volumeMounts[0].mountPath: mountPath "data" must be an absolute path; write "/data""#,
                #"pod.yaml:12:31: error: spec.containers[0].volumeMounts[2].mountPath: mountPath "/data" is already used at spec.containers[0].volumeMounts[1]; each mount of a container needs its own path"#,
                #"pod.yaml:13:44: error: spec.containers[0].volumeMounts[3].subPath: subPath "../etc" must be a relative path inside the volume, without "..""#,
                #"pod.yaml:14:44: error: spec.containers[0].volumeMounts[4].subPath: subPath "/abs" must be a relative path inside the volume, without "..""#,
                #"pod.yaml:15:48: error: spec.containers[0].volumeMounts[5].subPathExpr: subPathExpr is not supported; use subPath with a fixed path"#,
            ]),
        ValidationCase(
            "a preStop sleep may not outlast the grace period; tcpSocket hooks do not exist",
            container: """
            lifecycle:
              preStop:
                sleep: {seconds: 31}
              postStart:
                tcpSocket: {port: 80}
            """,
            spec: "terminationGracePeriodSeconds: 30",
            [
                #"pod.yaml:11:26: error: spec.containers[0].lifecycle.preStop.sleep.seconds: must not exceed terminationGracePeriodSeconds (30), found 31"#,
                #"pod.yaml:13:20: error: spec.containers[0].lifecycle.postStart.tcpSocket: tcpSocket is not supported in lifecycle hooks (Kubernetes never runs it); use exec, httpGet or sleep"#,
            ]),
        ValidationCase(
            "features podrun cannot honour are errors with the reason; enum values get \"did you mean\"",
            container: """
            readinessProbe:
              grpc: {port: 9000}
            volumeDevices: []
            stdin: true
            """,
            spec: """
            ephemeralContainers: []
            restartPolicy: Allways
            """,
            [
                #"pod.yaml:10:13: error: spec.containers[0].readinessProbe.grpc: gRPC probes are not supported; use exec (e.g. grpc_health_probe), httpGet or tcpSocket"#,
                #"pod.yaml:11:20: error: spec.containers[0].volumeDevices: block devices are not supported; remove volumeDevices"#,
                #"pod.yaml:12:5: warning: podrun accepts but does not act on this Kubernetes field: spec.containers[0].stdin (line 12)"#,
                #"pod.yaml:13:24: error: spec.ephemeralContainers: ephemeral containers are not supported; remove the field; they exist for debugging a running cluster pod"#,
                #"pod.yaml:14:18: error: spec.restartPolicy: unsupported value "Allways"; did you mean "Always"?"#,
            ]),
        ValidationCase(
            "empty command lists are errors",
            container: """
            readinessProbe:
              exec: {command: []}
            """,
            spec: "",
            [
                #"pod.yaml:10:23: error: spec.containers[0].readinessProbe.exec.command: must not be empty; e.g. command: ["cat", "/tmp/ready"]"#,
            ]),

        ValidationCase(
            "a negative grace period is a warning and counts as 1, as in Kubernetes",
            container: "",
            spec: "terminationGracePeriodSeconds: -5",
            [
                "pod.yaml:9:34: warning: spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and are treated as 1, as Kubernetes does; write 0 to kill at once",
            ]),
        ValidationCase(
            "a container without command: podrun runs local executables, not images",
            text: """
            apiVersion: v1
            kind: Pod
            metadata:
              name: demo
            spec:
              containers:
              - name: web
                image: nginx:1.27
              - name: sidecar

            """,
            [
                #"pod.yaml:7:5: error: spec.containers[0].command: required: podrun runs local executables, not images, so it cannot use the image's entrypoint (nginx:1.27); add the program to run, e.g. command: ["/bin/sh", "-c", "exec my-server --port 8080"]"#,
                #"pod.yaml:9:5: error: spec.containers[1].command: required: podrun runs local executables, not images, so it cannot use the image's entrypoint; add the program to run, e.g. command: ["/bin/sh", "-c", "exec my-server --port 8080"]"#,
            ]),
        ValidationCase(
            "kind must be Pod; for a workload the fix says where its pod template is",
            text: """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
              template: {}

            """,
            [
                #"pod.yaml:2:7: error: kind: must be Pod, found "Deployment"; take the pod template under spec.template (and spec.jobTemplate.spec.template for a CronJob) into a file of its own with apiVersion: v1 and kind: Pod"#,
            ]),
        ValidationCase(
            "kind is case-sensitive",
            text: """
            apiVersion: v1
            kind: pod
            metadata:
              name: web
            spec: {}

            """,
            [
                #"pod.yaml:2:7: error: kind: must be Pod, found "pod"; did you mean "Pod"?"#,
            ]),
        ValidationCase(
            "apiVersion must be v1",
            text: """
            apiVersion: core/v1
            kind: Pod
            metadata:
              name: demo
            spec:
              containers:
              - name: main
                command: ["/bin/true"]

            """,
            [
                #"pod.yaml:1:13: error: apiVersion: must be v1 for a Pod, found "core/v1"; write apiVersion: v1"#,
            ]),
        ValidationCase(
            "missing required fields are reported at the object that lacks them",
            text: """
            apiVersion: v1
            kind: Pod
            metadata:
              labels: {}
            spec:
              containers:
              - command: [x]
                ports:
                - name: http
                volumeMounts:
                - {}
              volumes:
              - emptyDir: {}

            """,
            [
                #"pod.yaml:4:3: error: metadata.name: required field is missing; add name: my-pod"#,
                #"pod.yaml:7:5: error: spec.containers[0].name: required field is missing; add name: my-container"#,
                #"pod.yaml:9:7: error: spec.containers[0].ports[0].containerPort: required field is missing"#,
                #"pod.yaml:11:7: error: spec.containers[0].volumeMounts[0].name: required field is missing"#,
                #"pod.yaml:11:7: error: spec.containers[0].volumeMounts[0].mountPath: required field is missing"#,
                #"pod.yaml:13:5: error: spec.volumes[0].name: required field is missing"#,
            ]),
        ValidationCase(
            "missing top-level fields; a field written without a value is reported at its key",
            text: """
            metadata:
              name: x
            spec:

            """,
            [
                #"pod.yaml:1:1: error: apiVersion: required field is missing; add apiVersion: v1"#,
                #"pod.yaml:1:1: error: kind: required field is missing; add kind: Pod"#,
                #"pod.yaml:3:1: error: spec: required field has no value; add spec: {containers: [{name: main, command: ["/bin/sh", "-c", "echo hello"]}]}"#,
            ]),
        ValidationCase(
            "written but empty names and paths are errors",
            text: """
            apiVersion: v1
            kind: Pod
            metadata:
              name: ""
            spec:
              containers:
              - name: ""
                command: [x]
                env:
                - name: ""
                  value: x
                - name: A=B
                  value: x
                volumeMounts:
                - name: ""
                  mountPath: ""
              volumes:
              - name: ""

            """,
            [
                #"pod.yaml:4:9: error: metadata.name: must not be empty; give the pod a name, e.g. name: my-pod"#,
                #"pod.yaml:7:11: error: spec.containers[0].name: must not be empty; give the container a name, e.g. name: main"#,
                #"pod.yaml:10:13: error: spec.containers[0].env[0].name: must not be empty"#,
                #"pod.yaml:12:13: error: spec.containers[0].env[1].name: variable name "A=B" may not contain "=""#,
                #"pod.yaml:15:13: error: spec.containers[0].volumeMounts[0].name: must not be empty; name one of the pod's volumes"#,
                #"pod.yaml:16:18: error: spec.containers[0].volumeMounts[0].mountPath: must not be empty; give the path the container uses, e.g. mountPath: /data"#,
                #"pod.yaml:18:11: error: spec.volumes[0].name: must not be empty; e.g. name: data"#,
            ]),
        ValidationCase(
            "the pod name is an RFC 1123 subdomain and the namespace a label",
            text: """
            apiVersion: v1
            kind: Pod
            metadata:
              name: My_Pod.v1
              namespace: Team_A
            spec:
              containers:
              - name: main
                command: ["/bin/true"]

            """,
            [
                #"pod.yaml:4:9: error: metadata.name: invalid pod name "My_Pod.v1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character; e.g. "my-pod.v1""#,
                #"pod.yaml:5:14: error: metadata.namespace: invalid namespace "Team_A": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"#,
            ]),
        ValidationCase(
            "values of the wrong shape: objects, lists and an empty container list",
            text: """
            apiVersion: v1
            kind: Pod
            metadata: x
            spec:
              containers:
              - just-a-string
              - name: ok
                command: [x]
                env: {A: b}

            """,
            [
                #"pod.yaml:3:11: error: metadata: expected an object, found a string"#,
                #"pod.yaml:6:5: error: spec.containers[0]: expected an object, found a string"#,
                #"pod.yaml:9:10: error: spec.containers[1].env: expected a list, found an object"#,
            ]),
        ValidationCase(
            "a list element of the wrong type keeps its index: later elements are named and located as in the file",
            text: """
            apiVersion: v1
            kind: Pod
            metadata: {name: x}
            spec:
              containers:
              - 5
              - name: Bad_Name
                command: [x]
                ports:
                - 8080
                - {name: http, containerPort: 80}
                - {name: http, containerPort: 81}

            """,
            [
                #"pod.yaml:6:5: error: spec.containers[0]: expected an object, found a number"#,
                #"pod.yaml:7:11: error: spec.containers[1].name: invalid container name "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character; e.g. "bad-name""#,
                #"pod.yaml:10:7: error: spec.containers[1].ports[0]: expected an object, found a number"#,
                #"pod.yaml:12:14: error: spec.containers[1].ports[2].name: duplicate port name "http" (also at spec.containers[1].ports[1]); port names are unique in a container"#,
            ]),
        ValidationCase(
            "a pod needs a container",
            text: """
            apiVersion: v1
            kind: Pod
            metadata: {name: x}
            spec:
              containers: []

            """,
            [
                #"pod.yaml:5:15: error: spec.containers: a pod needs at least one container"#,
            ]),
    ]

    @Test("each rule reports exactly its diagnostics", arguments: cases)
    func rule(_ validation: ValidationCase) {
        let result = Spec.load(validation.text)
        #expect(result.diagnostics.map(\.description) == validation.expected)
        // A pod is returned exactly when there is no error; warnings do not stop it.
        #expect((result.pod == nil) == result.diagnostics.hasErrors)
    }

    @Test("the base pod of the cases is valid")
    func basePod() {
        let result = Spec.load(Spec.pod())
        #expect(result.diagnostics.isEmpty)
        #expect(result.pod?.spec.containers.map(\.name) == ["main"])
    }

    @Test("a pod with ten distinct mistakes prints ten located diagnostics, in file order")
    func tenMistakes() {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: Ten_Mistakes
            spec:
              restartPolicy: Sometimes
              initContainers:
              - name: setup
                command: [/bin/setup]
                readinessProbe:
                  exec: {command: [/bin/check]}
              containers:
              - name: web
                comand: [/bin/web]
                ports:
                - {name: http, containerPort: 80}
                - {name: http, containerPort: 70000}
                livenessProbe:
                  httpGet: {port: http}
                  successThreshold: 2
                volumeMounts:
                - {name: cache, mountPath: /cache}
              - name: web
                command: [/bin/web]
              volumes:
              - name: tmp
                configMap: {name: settings}

            """
        let result = Spec.load(text)
        #expect(result.pod == nil)
        #expect(result.diagnostics.count == 10)
        #expect(result.diagnostics.allSatisfy { $0.severity == .error && $0.location.file == Spec.file })
        #expect(result.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.path)" } == [
            "4:9 metadata.name",
            "6:18 spec.restartPolicy",
            "11:7 spec.initContainers[0].readinessProbe",
            "14:5 spec.containers[0].comand",
            "17:14 spec.containers[0].ports[1].name",
            "17:35 spec.containers[0].ports[1].containerPort",
            "20:25 spec.containers[0].livenessProbe.successThreshold",
            "22:14 spec.containers[0].volumeMounts[0].name",
            "23:11 spec.containers[1].name",
            "27:16 spec.volumes[0].configMap",
        ])
    }

    @Test("a sidecar with probes, hooks and a named port is valid; so is a regular init container without them")
    func validSidecar() {
        let result = Spec.load(
            Spec.pod(
                spec: """
                    initContainers:
                    - name: migrate
                      command: [/bin/migrate]
                    - name: proxy
                      command: [/bin/proxy]
                      restartPolicy: Always
                      ports: [{name: admin, containerPort: 9901}]
                      startupProbe: {httpGet: {port: admin, path: /ready}}
                      readinessProbe: {tcpSocket: {port: 9901}, successThreshold: 3}
                      livenessProbe: {exec: {command: [/bin/alive]}, terminationGracePeriodSeconds: 5}
                      lifecycle: {preStop: {sleep: {seconds: 2}}}
                    """))
        #expect(result.diagnostics.isEmpty)
        #expect(result.pod?.spec.initContainers.map(\.restartPolicy) == [nil, .always])
    }
}
