// The export read by an independent reader: the PyPI gguf package (llama.cpp's gguf-py). It checks the
// metadata types llama.cpp's loader expects, renames and permutes the HF tensors itself
// (convert_hf_to_gguf.py's LlamaModel.permute) and compares every tensor: F32 and F16 equal, BF16 equal to
// round-to-nearest-even, Q8_0 byte-identical to gguf.quants.quantize. Skipped where .venv-torch2
// (scripts/setup-torch2.sh) lacks gguf.
#include <gtest/gtest.h>

#include <cstdlib>

#include "interop/gguf_export.h"
#include "interop/gguf_llama.h"
#include "interop/hf_config.h"
#include "interop/hf_export.h"
#include "interop_test_util.h"
#include "util/atomic_file.h"

namespace ropelm::testing {
namespace {

const std::filesystem::path kPython = std::filesystem::path(ROPELM_SOURCE_DIR) / ".venv-torch2/bin/python";

constexpr const char* kCheck = R"PY(
import sys, numpy as np, torch, gguf
from gguf import GGUFReader, GGUFValueType as T, GGMLQuantizationType as Q
from safetensors.torch import load_file

hf, nh, nkv = load_file(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def permute(w, heads):  # convert_hf_to_gguf.py LlamaModel.permute
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)
names = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
         "lm_head.weight": "output.weight"}
layer = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
         "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
         "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
expected = {}
for name, w in hf.items():
    if name in names:
        gguf_name = names[name]
    else:
        i, rest = name.split(".")[2], ".".join(name.split(".")[3:-1])
        gguf_name = f"blk.{i}.{layer[rest]}.weight"
    if name.endswith("q_proj.weight"): w = permute(w, nh)
    if name.endswith("k_proj.weight"): w = permute(w, nkv)
    expected[gguf_name] = w.numpy()

def bf16(x):  # round to nearest even on the fp32 bit pattern
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)

failures = []
for path, dtype in zip(sys.argv[4::2], sys.argv[5::2]):
    r = GGUFReader(path)
    types = {"general.architecture": T.STRING, "llama.context_length": T.UINT32, "llama.embedding_length": T.UINT32,
             "llama.block_count": T.UINT32, "llama.feed_forward_length": T.UINT32,
             "llama.attention.head_count": T.UINT32, "llama.attention.head_count_kv": T.UINT32,
             "llama.rope.dimension_count": T.UINT32, "llama.rope.freq_base": T.FLOAT32,
             "llama.attention.layer_norm_rms_epsilon": T.FLOAT32, "general.alignment": T.UINT32}
    for key, t in types.items():
        if key not in r.fields or r.fields[key].types[0] != t:
            failures.append(f"{path}: {key} missing or not {t.name}")
    if r.fields["general.architecture"].contents() != "llama": failures.append("architecture")
    if sorted(t.name for t in r.tensors) != sorted(expected): failures.append(f"{path}: tensor names differ")
    for t in r.tensors:
        want = expected[t.name]
        if t.data_offset % 32: failures.append(f"{t.name}: unaligned")
        if list(t.shape) != list(reversed(want.shape)): failures.append(f"{t.name}: shape {t.shape}")
        if want.ndim == 1 or dtype == "f32":
            ok = t.tensor_type == Q.F32 and np.array_equal(np.asarray(t.data).reshape(want.shape), want)
        elif dtype == "f16":
            ok = t.tensor_type == Q.F16 and np.array_equal(np.asarray(t.data).reshape(want.shape), want.astype(np.float16))
        elif dtype == "bf16":
            ok = t.tensor_type == Q.BF16 and np.array_equal(np.asarray(t.data).view(np.uint16).reshape(want.shape), bf16(want))
        else:
            ok = t.tensor_type == Q.Q8_0 and bytes(np.asarray(t.data)) == bytes(gguf.quants.quantize(want, Q.Q8_0))
            back = gguf.quants.dequantize(np.asarray(t.data), Q.Q8_0).reshape(want.shape)
            step = np.abs(want.reshape(-1, 32)).max(1, keepdims=True) / 127
            ok = ok and (np.abs(back - want).reshape(-1, 32) <= step * (0.5 + 127 / 2048) + 1e-12).all()
        if not ok: failures.append(f"{path}: {t.name} ({dtype}) differs")
print("\n".join(failures) or "OK")
sys.exit(1 if failures else 0)
)PY";

bool gguf_package_available() {
  if (!std::filesystem::exists(kPython)) return false;
  const std::string probe = "'" + kPython.string() + "' -c 'import gguf, safetensors, torch' >/dev/null 2>&1";
  return std::system(probe.c_str()) == 0;
}

TEST(GgufPythonReader, GgufPackageReadsEveryTensorAsExpected) {
  if (!gguf_package_available())
    GTEST_SKIP() << kPython
                 << " with gguf, safetensors and torch is missing (scripts/setup-torch2.sh installs them)";
  TempDir dir;
  Transformer model = random_model(small_options().n_kv_heads(2).tie_embeddings(false));
  const auto config = hf_config_json(model->options(), {}, 16);
  const NamedTensors hf = hf_model_tensors(model);
  save_safetensors(dir / "hf.safetensors", hf);
  std::string files;
  for (const auto& [dtype, type] : std::vector<std::pair<std::string, GgmlType>>{{"f32", GgmlType::kF32},
                                                                                 {"f16", GgmlType::kF16},
                                                                                 {"bf16", GgmlType::kBF16},
                                                                                 {"q8_0", GgmlType::kQ8_0}}) {
    GgufFile file;
    add_llama_metadata(file, config, "test", type);
    file.tensors = llama_gguf_tensors(hf, config, type);
    write_gguf(dir / (dtype + ".gguf"), file);
    files += " '" + (dir / (dtype + ".gguf")).string() + "' " + dtype;
  }
  write_text(dir / "check.py", kCheck);
  const std::string command = "'" + kPython.string() + "' '" + (dir / "check.py").string() + "' '" +
                              (dir / "hf.safetensors").string() + "' 4 2" + files + " > '" +
                              (dir / "out.txt").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_EQ(status, 0) << read_file(dir / "out.txt");
}

}  // namespace
}  // namespace ropelm::testing
