#include "bench/store/etcd_target.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "etcd_rpc.grpc.pb.h"

namespace troupe::bench {

namespace {

// One Put in flight. Owned by the completion queue from Finish until its tag comes back.
struct put_call {
  etcdserverpb::PutRequest request;
  etcdserverpb::PutResponse response;
  grpc::ClientContext context;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<etcdserverpb::PutResponse>> reader;
  std::function<void(bool)> done;
};

}  // namespace

struct etcd_target::impl {
  std::vector<std::unique_ptr<etcdserverpb::KV::Stub>> stubs;
  // Round-robin cursor over stubs.
  std::atomic<std::size_t> next{0};
  std::chrono::milliseconds timeout;
  grpc::CompletionQueue queue;
  std::thread poller;

  void poll() {
    void* tag = nullptr;
    bool ok = false;
    while (queue.Next(&tag, &ok)) {
      std::unique_ptr<put_call> call(static_cast<put_call*>(tag));
      call->done(ok && call->status.ok());
    }
  }
};

etcd_target::etcd_target(const std::vector<std::string>& endpoints,
                         std::size_t connections_per_endpoint, int timeout_ms)
    : impl_(std::make_unique<impl>()) {
  impl_->timeout = std::chrono::milliseconds(timeout_ms);
  for (std::size_t i = 0; i < connections_per_endpoint; ++i) {
    for (const auto& endpoint : endpoints) {
      grpc::ChannelArguments args;
      // Channels with equal arguments share one connection; a distinct value gives each its own.
      args.SetInt("troupe.connection", static_cast<int>(i));
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      auto channel = grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args);
      impl_->stubs.push_back(etcdserverpb::KV::NewStub(channel));
    }
  }
  impl_->poller = std::thread([this] { impl_->poll(); });
}

etcd_target::~etcd_target() {
  impl_->queue.Shutdown();
  impl_->poller.join();
}

void etcd_target::start_put(std::string key, std::string value, std::function<void(bool)> done) {
  auto call = std::make_unique<put_call>();
  call->request.set_key(std::move(key));
  call->request.set_value(std::move(value));
  call->done = std::move(done);
  call->context.set_deadline(std::chrono::system_clock::now() + impl_->timeout);
  auto index = impl_->next.fetch_add(1, std::memory_order_relaxed) % impl_->stubs.size();
  call->reader = impl_->stubs[index]->PrepareAsyncPut(&call->context, call->request, &impl_->queue);
  call->reader->StartCall();
  auto* raw = call.release();
  raw->reader->Finish(&raw->response, &raw->status, raw);
}

}  // namespace troupe::bench
