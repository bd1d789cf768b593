import Foundation
import Testing

@testable import PodRunKit

@Suite struct MountPathTranslatorTests {
    /// The mounts of a container in these tests: volume directories under `/R`.
    static let translator = MountPathTranslator(resolved: [
        .init(volume: "shared", mountPath: "/shared", directory: "/R/shared"),
        .init(volume: "logs", mountPath: "/var/log/app", directory: "/R/logs"),
        .init(volume: "data", mountPath: "/data", directory: "/R/data"),
        .init(volume: "cache", mountPath: "/data/cache", directory: "/R/cache"),
        .init(volume: "conf", mountPath: "/etc/conf/", directory: "/R/conf/"),
    ])

    struct Case: Sendable, CustomStringConvertible {
        let input: String
        let expected: String
        init(_ input: String, _ expected: String) {
            self.input = input
            self.expected = expected
        }
        var description: String { input.debugDescription }
    }

    @Test(arguments: [
        // Whole paths and component boundaries.
        Case("/shared", "/R/shared"),
        Case("/shared/", "/R/shared/"),
        Case("/shared/x", "/R/shared/x"),
        Case("/shared//x", "/R/shared//x"),
        Case("/sharedx", "/sharedx"),
        Case("/shared.bak", "/shared.bak"),
        Case("/shared-2/x", "/shared-2/x"),
        Case("/share", "/share"),
        Case("shared/x", "shared/x"),
        Case("", ""),
        Case("/", "/"),
        Case("/var/log/app/app.log", "/R/logs/app.log"),
        Case("/var/log/application", "/var/log/application"),
        // A trailing slash in the mount path changes nothing.
        Case("/etc/conf/app.yaml", "/R/conf/app.yaml"),
        Case("/etc/conf", "/R/conf"),
        Case("/etc/config", "/etc/config"),
        // Nested mounts: the longest mount path wins.
        Case("/data/cache/x", "/R/cache/x"),
        Case("/data/cache", "/R/cache"),
        Case("/data/cachex", "/R/data/cachex"),
        Case("/data/x", "/R/data/x"),
        // Paths that only look like mount paths.
        Case("/x/shared/y", "/x/shared/y"),
        Case("x/shared", "x/shared"),
        Case("http://host/shared/x", "http://host/shared/x"),
        Case("file:///shared/f", "file:///shared/f"),
        Case("-I/shared/include", "-I/shared/include"),
        Case("~/shared", "~/shared"),
        // Occurrences inside shell scripts and options.
        Case("tail -F /var/log/app/app.log", "tail -F /R/logs/app.log"),
        Case("--log=/var/log/app/x", "--log=/R/logs/x"),
        Case("echo hi > /shared/f", "echo hi > /R/shared/f"),
        Case("echo hi>/shared/f", "echo hi>/R/shared/f"),
        Case("echo hi >>/shared/f", "echo hi >>/R/shared/f"),
        Case("wc -l </shared/f|sort", "wc -l </R/shared/f|sort"),
        Case("ls /shared|wc", "ls /R/shared|wc"),
        Case("cd /shared;ls", "cd /R/shared;ls"),
        Case("(cd /shared)", "(cd /R/shared)"),
        Case("x=$(cat /shared/v)", "x=$(cat /R/shared/v)"),
        Case("x=`cat /shared/v`", "x=`cat /R/shared/v`"),
        Case("cat '/shared/a b' \"/data/c\"", "cat '/R/shared/a b' \"/R/data/c\""),
        Case("PATH=/shared/bin:/usr/bin", "PATH=/R/shared/bin:/usr/bin"),
        Case("/shared:/data", "/R/shared:/R/data"),
        Case("--dirs=/shared,/data/cache", "--dirs=/R/shared,/R/cache"),
        Case("test -d /shared && echo ok", "test -d /R/shared && echo ok"),
        Case("${DIR:-x}/shared", "${DIR:-x}/shared"),
        Case("while true; do\n  date >>/var/log/app/app.log\ndone", "while true; do\n  date >>/R/logs/app.log\ndone"),
        Case("\t/shared\t", "\t/R/shared\t"),
        Case("/shared /shared/a /sharedb", "/R/shared /R/shared/a /sharedb"),
        // Already translated: left alone.
        Case("/R/shared/x", "/R/shared/x"),
    ])
    func translates(_ c: Case) {
        #expect(Self.translator.translate(c.input) == c.expected)
    }

    @Test(arguments: [
        Case("/home/me/state/pods/p/volumes/home/x", "/home/me/state/pods/p/volumes/home/x"),
        Case("/home/x", "/home/me/state/pods/p/volumes/home/x"),
        Case("echo > /home/me/state/pods/p/volumes/home/f; cat /home/y", "echo > /home/me/state/pods/p/volumes/home/f; cat /home/me/state/pods/p/volumes/home/y"),
        // Not the volume's directory (no component boundary): a path in the container's /home.
        Case("/home/me/state/pods/p/volumes/homework", "/home/me/state/pods/p/volumes/home/me/state/pods/p/volumes/homework"),
    ])
    func isIdempotentWhenAMountPathPrefixesTheRunDirectory(_ c: Case) {
        let translator = MountPathTranslator(resolved: [.init(volume: "home", mountPath: "/home", directory: "/home/me/state/pods/p/volumes/home")])
        let once = translator.translate(c.input)
        #expect(once == c.expected)
        #expect(translator.translate(once) == once)
    }

    @Test func aLongerMountPathBeatsATranslatedDirectory() {
        // A hostPath volume at /data (mounted at /mnt) and an emptyDir mounted at /data/cache.
        let translator = MountPathTranslator(resolved: [
            .init(volume: "host", mountPath: "/mnt", directory: "/data"),
            .init(volume: "cache", mountPath: "/data/cache", directory: "/R/cache"),
        ])
        #expect(translator.translate("/mnt/x") == "/data/x")
        #expect(translator.translate("/data/cache/y") == "/R/cache/y")
        #expect(translator.translate("/data/other") == "/data/other")
    }

    @Test func hostPathOfRootDoesNotDoubleTheSlash() {
        let translator = MountPathTranslator(resolved: [.init(volume: "root", mountPath: "/host", directory: "/")])
        #expect(translator.translate("/host/etc/hosts") == "/etc/hosts")
        #expect(translator.translate("/host") == "/")
    }

    @Test func aMountAtRootIsNotTranslated() {
        let translator = MountPathTranslator(resolved: [.init(volume: "all", mountPath: "/", directory: "/R/all")])
        #expect(translator.translate("/etc/hosts http://x") == "/etc/hosts http://x")
        #expect(translator.environment == ["PODRUN_VOLUME_ALL": "/R/all"])
    }

    @Test func environmentNamesEveryMountedVolume() {
        let translator = MountPathTranslator(resolved: [
            .init(volume: "shared-logs", mountPath: "/var/log/app", directory: "/R/logs"),
            .init(volume: "cache.v2", mountPath: "/cache", directory: "/R/cache"),
            .init(volume: "shared-logs", mountPath: "/other", directory: "/R/logs/sub"),
        ])
        #expect(translator.environment == ["PODRUN_VOLUME_SHARED_LOGS": "/R/logs", "PODRUN_VOLUME_CACHE_V2": "/R/cache"])
    }

    @Test func translatesNonASCIIPaths() {
        let translator = MountPathTranslator(resolved: [.init(volume: "d", mountPath: "/données", directory: "/R/d")])
        #expect(translator.translate("cat /données/é.txt /donnéesx") == "cat /R/d/é.txt /donnéesx")
    }

    @Test func subPathMountsTranslateToTheSubDirectory() async throws {
        try await withEnvironmentScratch { scratch in
            let mounts = [
                VolumeMount(name: "data", mountPath: "/config", subPath: "app/config"),
                VolumeMount(name: "data", mountPath: "/data"),
            ]
            let pod = environmentPod(
                containers: [Container(name: "app", command: ["true"], volumeMounts: mounts)],
                volumes: [Volume(name: "data", emptyDir: EmptyDirVolumeSource())])
            let volumes = try PodVolumes.create(for: pod, runDirectory: scratch)
            let root = volumes.directory(of: "data").path
            let translator = MountPathTranslator(mounts: mounts, volumes: volumes)
            #expect(translator.translate("/config/app.yaml") == "\(root)/app/config/app.yaml")
            #expect(translator.translate("/data/app/config") == "\(root)/app/config")
            #expect(VolumeFiles.entry(at: "\(root)/app/config")?.kind == .directory)
            #expect(translator.environment["PODRUN_VOLUME_DATA"] == "\(root)/app/config", "the first mount of the volume")
        }
    }
}
