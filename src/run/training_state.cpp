// trainer_state.json and the generator states it carries.
#include "run/training_state.h"

#include <torch/version.h>

#include "util/error.h"

namespace ropelm {
namespace {

std::string to_hex(const torch::Tensor& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  torch::Tensor contiguous = bytes.contiguous();
  const uint8_t* data = contiguous.data_ptr<uint8_t>();
  std::string hex;
  for (int64_t i = 0; i < contiguous.numel(); ++i) {
    hex += kHex[data[i] >> 4];
    hex += kHex[data[i] & 15];
  }
  return hex;
}

torch::Tensor from_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw UserError("trainer_state.json: a generator state is not valid hex");
  torch::Tensor bytes = torch::empty({static_cast<int64_t>(hex.size() / 2)}, torch::kUInt8);
  uint8_t* data = bytes.data_ptr<uint8_t>();
  for (size_t i = 0; i < hex.size(); i += 2)
    data[i / 2] = static_cast<uint8_t>(std::stoi(hex.substr(i, 2), 0, 16));
  return bytes;
}

at::Generator default_generator(torch::Device device) {
  return at::globalContext().defaultGenerator(device);
}

}  // namespace

nlohmann::json to_json(const TrainingState& state) {
  nlohmann::json json = {{"step", state.step},
                         {"updates", state.updates},
                         {"tokens_seen", state.tokens_seen},
                         {"elapsed_s", state.elapsed_s},
                         {"train_tokens", state.train_tokens},
                         {"world_size", state.world_size},
                         {"loader_cursor", state.cursor},
                         {"rng", {{"cpu", state.cpu_rng}, {"cuda", state.cuda_rng}}},
                         {"versions", {{"ropelm", ROPELM_VERSION_STRING}, {"libtorch", TORCH_VERSION}}}};
  json["best_val_loss"] = state.best_val_loss ? nlohmann::json(*state.best_val_loss) : nlohmann::json();
  json["best_step"] = state.best_step ? nlohmann::json(*state.best_step) : nlohmann::json();
  json["corpus_checksum"] = state.corpus_checksum;
  json["val_loss"] = state.val_loss ? nlohmann::json(*state.val_loss) : nlohmann::json();
  json["precision"] = state.precision;
  return json;
}

TrainingState training_state_from_json(const nlohmann::json& json) {
  try {
    TrainingState state;
    state.step = json.at("step").get<int64_t>();
    state.updates = json.at("updates").get<int64_t>();
    state.tokens_seen = json.at("tokens_seen").get<int64_t>();
    state.elapsed_s = json.at("elapsed_s").get<double>();
    state.train_tokens = json.at("train_tokens").get<int64_t>();
    state.world_size = json.at("world_size").get<int64_t>();
    state.cursor = json.at("loader_cursor").get<LoaderCursor>();
    state.cpu_rng = json.at("rng").at("cpu").get<std::string>();
    state.cuda_rng = json.at("rng").at("cuda").get<std::string>();
    if (!json.at("best_val_loss").is_null()) state.best_val_loss = json.at("best_val_loss").get<double>();
    if (!json.at("best_step").is_null()) state.best_step = json.at("best_step").get<int64_t>();
    // Recorded since the run-dir safety changes; older checkpoints have neither.
    state.corpus_checksum = json.value("corpus_checksum", "");
    if (json.contains("val_loss") && !json["val_loss"].is_null())
      state.val_loss = json["val_loss"].get<double>();
    state.precision = json.value("precision", "");  // recorded since train.precision = auto
    return state;
  } catch (const nlohmann::json::exception& error) {
    throw UserError(std::string("trainer_state.json is incomplete or malformed: ") + error.what());
  }
}

void capture_rng(TrainingState& state, torch::Device device) {
  state.cpu_rng = to_hex(default_generator(torch::kCPU).get_state());
  state.cuda_rng = device.is_cuda() ? to_hex(default_generator(device).get_state()) : "";
}

void restore_rng(const TrainingState& state, torch::Device device) {
  if (!state.cpu_rng.empty()) default_generator(torch::kCPU).set_state(from_hex(state.cpu_rng));
  if (device.is_cuda() && !state.cuda_rng.empty())
    default_generator(device).set_state(from_hex(state.cuda_rng));
}

}  // namespace ropelm
