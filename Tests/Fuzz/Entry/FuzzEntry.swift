// The libFuzzer entry point of one fuzz target, chosen when compiling (scripts/fuzz.sh passes -D FUZZ_<TARGET>).
// Built with `swiftc -sanitize=fuzzer,address -parse-as-library`; libFuzzer provides main().
import NetpolLintFuzzTargets

#if FUZZ_YAML
let target = "yaml"
#elseif FUZZ_MODEL
let target = "model"
#elseif FUZZ_ENGINE
let target = "engine"
#elseif FUZZ_CONFIG
let target = "config"
#elseif FUZZ_SPEC
let target = "spec"
#else
#error("compile with -D FUZZ_YAML, FUZZ_MODEL, FUZZ_ENGINE, FUZZ_CONFIG or FUZZ_SPEC")
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTargets.run(target, UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
