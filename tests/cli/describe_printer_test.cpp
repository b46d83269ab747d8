// troupectl describe's text, compared with what kubectl 1.32 prints for the same objects.
// Every expected text below was printed by kubectl v1.32 itself: `TZ=UTC kubectl describe`
// against a throwaway fake API server that served exactly the YAML of the test (with the
// timestamps kubectl turns into ages shifted so that kubectl's "now" was `now_ms`). So the
// sections, the wording and the tab alignment are kubectl's, not a copy of ours. Where our
// output deliberately differs, the test edits kubectl's text and says why, next to the edit.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/describe_printer.hpp"
#include "messages/codec/decoder.hpp"
#include "messages/codec/yaml_tree.hpp"
#include "messages/kinds.hpp"
#include "messages/proto/apps.pb.h"
#include "messages/proto/autoscaling.pb.h"
#include "messages/proto/core.pb.h"
#include "messages/proto/core_pod.pb.h"
#include "messages/proto/networking.pb.h"

namespace {

namespace m = troupe::messages;
namespace codec = troupe::messages::codec;
using troupe::cli::describe_context;

// "Now" for every test: 2023-11-14T22:13:20Z.
constexpr int64_t now_ms = 1'700'000'000'000;

// The API objects of a YAML stream, decoded strictly and without defaulting: what the API
// server returned to kubectl.
class fixture {
 public:
  explicit fixture(std::string_view yaml) {
    codec::parsed_stream stream = codec::parse_yaml_stream(yaml);
    BOOST_TEST_REQUIRE(!stream.error.has_value());
    for (const codec::doc_node_ptr& document : stream.documents) {
      const codec::doc_node* api_version = document->find("apiVersion");
      // EndpointSlices and Leases were served to kubectl only: Troupe has neither kind, and
      // its CLI passes the service's Endpoints and the node's lease instead.
      if (api_version != nullptr && (api_version->text == "discovery.k8s.io/v1" ||
                                     api_version->text == "coordination.k8s.io/v1"))
        continue;
      codec::decode_result decoded = codec::decode_object(*document);
      BOOST_TEST_REQUIRE(decoded.errors.empty(),
                         (decoded.errors.empty() ? "" : decoded.errors.front().message));
      objects_.push_back(std::move(decoded.value.object));
    }
  }

  template <class T>
  std::vector<const T*> all() const {
    std::vector<const T*> out;
    for (const auto& object : objects_)
      if (object->GetDescriptor() == T::descriptor())
        out.push_back(static_cast<const T*>(object.get()));
    return out;
  }

  template <class T>
  const T& get(std::string_view name) const {
    const T* found = nullptr;
    for (const T* object : all<T>())
      if (object->metadata().name() == name) found = object;
    BOOST_TEST_REQUIRE(found != nullptr, "no " << T::descriptor()->name() << " named " << name);
    return *found;
  }

  // The related objects `troupectl describe` fetches for `object`: the events about it, the
  // pods, the replica sets and the endpoints of the same name.
  describe_context context_for(const google::protobuf::Message& object) const {
    const m::ObjectMeta& meta = *m::metadata_of(object);
    describe_context context;
    context.now_ms = now_ms;
    for (const m::Event* event : all<m::Event>())
      if (event->involved_object().name() == meta.name() &&
          event->involved_object().namespace_() == meta.namespace_())
        context.events.push_back(event);
    context.pods = all<m::Pod>();
    context.replica_sets = all<m::ReplicaSet>();
    for (const m::Endpoints* endpoints : all<m::Endpoints>())
      if (endpoints->metadata().name() == meta.name()) context.endpoints = endpoints;
    return context;
  }

  template <class T>
  std::string describe(std::string_view name) const {
    const T& object = get<T>(name);
    return troupe::cli::describe(object, context_for(object));
  }

 private:
  std::vector<std::unique_ptr<google::protobuf::Message>> objects_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_describe_printer)

// ---------------------------------------------------------------------------
// Pods
// ---------------------------------------------------------------------------

constexpr std::string_view running_pod_yaml = R"yaml(apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-000000000001
  creationTimestamp: "2023-11-14T22:00:00Z"
  labels:
    app: myapp
    name: myapp-pod
  annotations:
    kubernetes.io/change-cause: kubectl create --filename=pod.yml --record=true
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: myapp-rs
    uid: 5c8a1d7e-0000-4000-8000-0000000000aa
    controller: true
spec:
  nodeName: minikube
  serviceAccountName: default
  priority: 0
  containers:
  - name: nginx
    image: nginx:1.25
    ports:
    - containerPort: 80
      protocol: TCP
    - containerPort: 443
      name: https
      protocol: TCP
    env:
    - name: MODE
      value: production
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef:
          name: mongodb-secret
          key: mongo-root-password
    - name: DB_URL
      valueFrom:
        configMapKeyRef:
          name: mongodb-configmap
          key: database_url
          optional: true
    - name: MY_POD_IP
      valueFrom:
        fieldRef:
          apiVersion: v1
          fieldPath: status.podIP
    - name: MY_NODE
      valueFrom:
        fieldRef:
          apiVersion: v1
          fieldPath: spec.nodeName
    envFrom:
    - configMapRef:
        name: app-config
    - prefix: SECRET_
      secretRef:
        name: app-secret
        optional: true
    resources:
      limits:
        cpu: 500m
        memory: 128Mi
      requests:
        cpu: 250m
        memory: 64Mi
    livenessProbe:
      httpGet:
        path: /healthz
        port: 80
        scheme: HTTP
      initialDelaySeconds: 5
      timeoutSeconds: 1
      periodSeconds: 10
      successThreshold: 1
      failureThreshold: 3
    readinessProbe:
      tcpSocket:
        port: 80
      timeoutSeconds: 1
      periodSeconds: 5
      successThreshold: 1
      failureThreshold: 3
    volumeMounts:
    - name: kube-api-access-x95w7
      mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      readOnly: true
    - name: data
      mountPath: /data
      subPath: nginx
  - name: sidecar
    image: busybox
    command:
    - sh
    - -c
    args:
    - "echo start\nsleep 3600"
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      timeoutSeconds: 1
      periodSeconds: 10
      successThreshold: 1
      failureThreshold: 3
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: myclaim
  - name: cache
    emptyDir: {}
  - name: config
    configMap:
      name: app-config
  - name: kube-api-access-x95w7
    projected:
      sources:
      - serviceAccountToken:
          expirationSeconds: 3607
          path: token
      - configMap:
          name: kube-root-ca.crt
          items:
          - key: ca.crt
            path: ca.crt
      - downwardAPI:
          items:
          - path: namespace
            fieldRef:
              apiVersion: v1
              fieldPath: metadata.namespace
  nodeSelector:
    disktype: ssd
  tolerations:
  - key: node.kubernetes.io/not-ready
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 300
  - key: node.kubernetes.io/unreachable
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 300
status:
  phase: Running
  hostIP: 192.168.49.2
  podIP: 10.244.0.24
  podIPs:
  - ip: 10.244.0.24
  startTime: "2023-11-14T22:00:01Z"
  qosClass: Burstable
  conditions:
  - type: Initialized
    status: "True"
    lastTransitionTime: "2023-11-14T22:00:01Z"
  - type: Ready
    status: "False"
    lastTransitionTime: "2023-11-14T22:00:01Z"
  - type: ContainersReady
    status: "False"
    lastTransitionTime: "2023-11-14T22:00:01Z"
  - type: PodScheduled
    status: "True"
    lastTransitionTime: "2023-11-14T22:00:00Z"
  containerStatuses:
  - name: nginx
    image: nginx:1.25
    imageID: docker-pullable://nginx@sha256:4771d09578c7c6a65299e110b3ee1c0a2592f5ea2618d23e4ffe7a4cab1ce5de
    containerID: docker://830bb56c8c42a86b4bb70e9c1488fae1bc38663e4918b6c2f5a783e7688b8c9d
    ready: true
    restartCount: 0
    started: true
    state:
      running:
        startedAt: "2023-11-14T22:00:07Z"
  - name: sidecar
    image: busybox:latest
    imageID: docker-pullable://busybox@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79
    containerID: docker://1b2c3d
    ready: false
    restartCount: 3
    started: false
    state:
      waiting:
        reason: CrashLoopBackOff
        message: back-off 40s restarting failed container
    lastState:
      terminated:
        exitCode: 1
        reason: Error
        startedAt: "2023-11-14T22:08:00Z"
        finishedAt: "2023-11-14T22:08:01Z"
        containerID: docker://1b2c3d
---
apiVersion: v1
kind: Event
metadata:
  name: myapp-pod.1
  namespace: default
involvedObject:
  kind: Pod
  namespace: default
  name: myapp-pod
  uid: 5c8a1d7e-0000-4000-8000-000000000001
reason: Scheduled
message: Successfully assigned default/myapp-pod to minikube
source:
  component: default-scheduler
firstTimestamp: "2023-11-14T22:00:00Z"
lastTimestamp: "2023-11-14T22:00:00Z"
count: 1
type: Normal
---
apiVersion: v1
kind: Event
metadata:
  name: myapp-pod.2
  namespace: default
involvedObject:
  kind: Pod
  namespace: default
  name: myapp-pod
  uid: 5c8a1d7e-0000-4000-8000-000000000001
  fieldPath: spec.containers{nginx}
reason: Pulled
message: "Container image \"nginx:1.25\" already present on machine\n"
source:
  component: kubelet
  host: minikube
firstTimestamp: "2023-11-14T22:00:05Z"
lastTimestamp: "2023-11-14T22:00:05Z"
count: 1
type: Normal
---
apiVersion: v1
kind: Event
metadata:
  name: myapp-pod.3
  namespace: default
involvedObject:
  kind: Pod
  namespace: default
  name: myapp-pod
  uid: 5c8a1d7e-0000-4000-8000-000000000001
  fieldPath: spec.containers{sidecar}
reason: BackOff
message: Back-off restarting failed container sidecar in pod myapp-pod_default
source:
  component: kubelet
  host: minikube
firstTimestamp: "2023-11-14T22:03:20Z"
lastTimestamp: "2023-11-14T22:11:10Z"
count: 7
type: Warning
---
apiVersion: v1
kind: Event
metadata:
  name: myapp-pod.4
  namespace: default
involvedObject:
  kind: Pod
  namespace: default
  name: myapp-pod
  uid: 5c8a1d7e-0000-4000-8000-000000000001
reason: Started
message: Started container nginx
reportingComponent: kubelet
reportingInstance: minikube
eventTime: "2023-11-14T22:00:07.000000Z"
series:
  count: 2
  lastObservedTime: "2023-11-14T22:12:50.000000Z"
type: Normal
)yaml";

BOOST_AUTO_TEST_CASE(pod_running_and_waiting_containers_conditions_and_events) {
  // Events: a series ("x2 over"), a repeated event ("x7 over") and single ones, oldest
  // lastTimestamp first (the series has none, so it comes first, as in kubectl 1.32).
  BOOST_TEST(fixture(running_pod_yaml).describe<m::Pod>("myapp-pod") ==
             R"txt(Name:             myapp-pod
Namespace:        default
Priority:         0
Service Account:  default
Node:             minikube/192.168.49.2
Start Time:       Tue, 14 Nov 2023 22:00:01 +0000
Labels:           app=myapp
                  name=myapp-pod
Annotations:      kubernetes.io/change-cause: kubectl create --filename=pod.yml --record=true
Status:           Running
IP:               10.244.0.24
IPs:
  IP:           10.244.0.24
Controlled By:  ReplicaSet/myapp-rs
Containers:
  nginx:
    Container ID:   docker://830bb56c8c42a86b4bb70e9c1488fae1bc38663e4918b6c2f5a783e7688b8c9d
    Image:          nginx:1.25
    Image ID:       docker-pullable://nginx@sha256:4771d09578c7c6a65299e110b3ee1c0a2592f5ea2618d23e4ffe7a4cab1ce5de
    Ports:          80/TCP, 443/TCP
    Host Ports:     0/TCP, 0/TCP
    State:          Running
      Started:      Tue, 14 Nov 2023 22:00:07 +0000
    Ready:          True
    Restart Count:  0
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:      250m
      memory:   64Mi
    Liveness:   http-get http://:80/healthz delay=5s timeout=1s period=10s #success=1 #failure=3
    Readiness:  tcp-socket :80 delay=0s timeout=1s period=5s #success=1 #failure=3
    Environment Variables from:
      app-config  ConfigMap                     Optional: false
      app-secret  Secret with prefix 'SECRET_'  Optional: true
    Environment:
      MODE:         production
      DB_PASSWORD:  <set to the key 'mongo-root-password' in secret 'mongodb-secret'>  Optional: false
      DB_URL:       <set to the key 'database_url' of config map 'mongodb-configmap'>  Optional: true
      MY_POD_IP:     (v1:status.podIP)
      MY_NODE:       (v1:spec.nodeName)
    Mounts:
      /data from data (rw,path="nginx")
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-x95w7 (ro)
  sidecar:
    Container ID:  docker://1b2c3d
    Image:         busybox
    Image ID:      docker-pullable://busybox@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79
    Port:          <none>
    Host Port:     <none>
    Command:
      sh
      -c
    Args:
      echo start
      sleep 3600
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       Error
      Exit Code:    1
      Started:      Tue, 14 Nov 2023 22:08:00 +0000
      Finished:     Tue, 14 Nov 2023 22:08:01 +0000
    Ready:          False
    Restart Count:  3
    Liveness:       exec [cat /tmp/healthy] delay=0s timeout=1s period=10s #success=1 #failure=3
    Environment:    <none>
    Mounts:         <none>
Conditions:
  Type              Status
  Initialized       True 
  Ready             False 
  ContainersReady   False 
  PodScheduled      True 
Volumes:
  data:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  myclaim
    ReadOnly:   false
  cache:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     
    SizeLimit:  <unset>
  config:
    Type:      ConfigMap (a volume populated by a ConfigMap)
    Name:      app-config
    Optional:  false
  kube-api-access-x95w7:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    ConfigMapOptional:       <nil>
    DownwardAPI:             true
QoS Class:                   Burstable
Node-Selectors:              disktype=ssd
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type     Reason     Age                  From               Message
  ----     ------     ----                 ----               -------
  Normal   Started    30s (x2 over 13m)    kubelet            Started container nginx
  Normal   Scheduled  13m                  default-scheduler  Successfully assigned default/myapp-pod to minikube
  Normal   Pulled     13m                  kubelet            Container image "nginx:1.25" already present on machine
  Warning  BackOff    2m10s (x7 over 10m)  kubelet            Back-off restarting failed container sidecar in pod myapp-pod_default
)txt");
}

BOOST_AUTO_TEST_CASE(pod_times_follow_the_utc_offset) {
  const fixture objects(running_pod_yaml);
  const m::Pod& pod = objects.get<m::Pod>("myapp-pod");
  describe_context context = objects.context_for(pod);
  context.utc_offset_seconds = 5 * 3600 + 1800;
  const std::string text = troupe::cli::describe(pod, context);
  // As kubectl printed them with TZ=Asia/Kolkata.
  BOOST_TEST(text.find("Start Time:       Wed, 15 Nov 2023 03:30:01 +0530\n") != std::string::npos);
  BOOST_TEST(text.find("      Finished:     Wed, 15 Nov 2023 03:38:01 +0530\n") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(pod_without_events_section_when_events_are_not_shown) {
  const fixture objects(running_pod_yaml);
  const m::Pod& pod = objects.get<m::Pod>("myapp-pod");
  describe_context context = objects.context_for(pod);
  context.show_events = false;
  const std::string text = troupe::cli::describe(pod, context);
  BOOST_TEST(text.find("Events") == std::string::npos);
  BOOST_TEST(
      text.ends_with("                             node.kubernetes.io/unreachable:NoExecute "
                     "op=Exists for 300s\n"));
}

BOOST_AUTO_TEST_CASE(pod_pending_with_init_container_and_no_events) {
  // "Events: <none>" is aligned with the lines above it, as kubectl's tabwriter does.
  BOOST_TEST(fixture(R"yaml(apiVersion: v1
kind: Pod
metadata:
  name: pending-pod
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-000000000002
  creationTimestamp: "2023-11-14T22:13:00Z"
spec:
  initContainers:
  - name: init-myservice
    image: busybox:1.28
    command: ['sh', '-c', "until nslookup myservice; do echo waiting; sleep 2; done"]
  containers:
  - name: app
    image: redis
    resources:
      limits:
        cpu: "1"
        memory: 1Gi
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  volumes:
  - name: host
    hostPath:
      path: /var/log
      type: Directory
  - name: creds
    secret:
      secretName: app-secret
      defaultMode: 420
status:
  phase: Pending
  reason: Unschedulable
  message: "0/1 nodes are available: 1 Insufficient cpu."
  conditions:
  - type: PodScheduled
    status: "False"
    reason: Unschedulable
    message: "0/1 nodes are available: 1 Insufficient cpu."
)yaml")
                 .describe<m::Pod>("pending-pod") ==
             R"txt(Name:            pending-pod
Namespace:       default
Node:            <none>
Labels:          <none>
Annotations:     <none>
Status:          Pending
Reason:          Unschedulable
Message:         0/1 nodes are available: 1 Insufficient cpu.
SeccompProfile:  RuntimeDefault
IP:              
IPs:             <none>
Init Containers:
  init-myservice:
    Image:      busybox:1.28
    Port:       <none>
    Host Port:  <none>
    Command:
      sh
      -c
      until nslookup myservice; do echo waiting; sleep 2; done
    Environment:  <none>
    Mounts:       <none>
Containers:
  app:
    Image:      redis
    Port:       <none>
    Host Port:  <none>
    Limits:
      cpu:        1
      memory:     1Gi
    Environment:  <none>
    Mounts:       <none>
Conditions:
  Type           Status
  PodScheduled   False 
Volumes:
  host:
    Type:          HostPath (bare host directory volume)
    Path:          /var/log
    HostPathType:  Directory
  creds:
    Type:        Secret (a volume populated by a Secret)
    SecretName:  app-secret
    Optional:    false
QoS Class:       Burstable
Node-Selectors:  <none>
Tolerations:     <none>
Events:          <none>
)txt");
}

BOOST_AUTO_TEST_CASE(pod_terminating_with_sidecar_probes_env_sources_and_volumes) {
  // Edited: kubectl 1.32 prints a set `optional` of a projected source as a Go pointer
  // (SecretOptionalName: 0xc000b30512); we print its value.
  BOOST_TEST(fixture(R"yaml(apiVersion: v1
kind: Pod
metadata:
  name: kitchen-sink
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-000000000003
  creationTimestamp: "2023-11-14T20:00:00Z"
  deletionTimestamp: "2023-11-14T22:12:50Z"
  deletionGracePeriodSeconds: 30
spec:
  priorityClassName: high-priority
  priority: 1000000
  runtimeClassName: gvisor
  readinessGates:
  - conditionType: example.com/feature-1
  - conditionType: example.com/feature-2
  initContainers:
  - name: proxy
    image: envoy
    restartPolicy: Always
    resources:
      requests: {cpu: 50m}
  containers:
  - name: main
    image: app:v2
    env:
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: POD_NS
      valueFrom:
        fieldRef:
          apiVersion: v1
          fieldPath: metadata.namespace
    - name: POD_LABEL
      valueFrom:
        fieldRef:
          apiVersion: v1
          fieldPath: metadata.labels['app']
    - name: CPU_LIMIT
      valueFrom:
        resourceFieldRef:
          containerName: main
          resource: limits.cpu
          divisor: 1m
    - name: MEM_REQ
      valueFrom:
        resourceFieldRef:
          resource: requests.memory
          divisor: 1Mi
    - name: MEM_LIMIT
      valueFrom:
        resourceFieldRef:
          resource: limits.memory
    - name: MULTI
      value: "first\nsecond"
    resources:
      requests: {cpu: 250m, memory: 100Mi}
    startupProbe:
      grpc:
        port: 9000
        service: health
      failureThreshold: 30
      periodSeconds: 10
    livenessProbe:
      httpGet:
        host: 10.0.0.1
        path: /health z?x
        port: http
        scheme: HTTPS
      periodSeconds: 10
    readinessProbe:
      tcpSocket:
        host: db.local
        port: 5432
    volumeDevices:
    - name: block
      devicePath: /dev/xvda
    securityContext:
      seccompProfile:
        type: Localhost
        localhostProfile: profiles/audit.json
  volumes:
  - name: proj
    projected:
      sources:
      - secret:
          name: s1
          optional: true
      - secret:
          name: s2
      - configMap:
          name: c1
          optional: false
  - name: dapi
    downwardAPI:
      items:
      - path: labels
        fieldRef:
          fieldPath: metadata.labels
      - path: cpu
        resourceFieldRef:
          containerName: main
          resource: limits.cpu
  - name: nfs
    nfs:
      server: nfs.local
      path: /exports
      readOnly: true
  - name: sec
    secret:
      secretName: s3
      optional: true
  - name: block
    persistentVolumeClaim:
      claimName: blockclaim
      readOnly: true
  - name: empty-sized
    emptyDir:
      sizeLimit: 1Gi
  tolerations:
  - operator: Exists
    effect: NoSchedule
  - key: gpu
    operator: Equal
    value: "true"
    effect: NoSchedule
  - key: special
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: zone
    whenUnsatisfiable: DoNotSchedule
    labelSelector:
      matchLabels: {app: web}
  - maxSkew: 2
    topologyKey: node
    whenUnsatisfiable: ScheduleAnyway
status:
  phase: Running
  nominatedNodeName: node-2
  qosClass: Burstable
  conditions:
  - type: example.com/feature-1
    status: "True"
  initContainerStatuses:
  - name: proxy
    ready: true
    restartCount: 0
    image: envoy
    imageID: ""
    containerID: containerd://abc
    state:
      running:
        startedAt: "2023-11-14T20:00:02Z"
  containerStatuses:
  - name: main
    ready: false
    restartCount: 1
    image: app:v2
    imageID: ""
    state:
      terminated:
        exitCode: 137
        signal: 9
        reason: OOMKilled
        message: out of memory
        startedAt: "2023-11-14T20:00:03Z"
        finishedAt: "2023-11-14T21:00:03Z"
)yaml")
                 .describe<m::Pod>("kitchen-sink") ==
             R"txt(Name:                      kitchen-sink
Namespace:                 default
Priority:                  1000000
Priority Class Name:       high-priority
Runtime Class Name:        gvisor
Node:                      <none>
Labels:                    <none>
Annotations:               <none>
Status:                    Terminating (lasts 30s)
Termination Grace Period:  30s
IP:                        
IPs:                       <none>
NominatedNodeName:         node-2
Init Containers:
  proxy:
    Container ID:   containerd://abc
    Image:          envoy
    Image ID:       
    Port:           <none>
    Host Port:      <none>
    State:          Running
      Started:      Tue, 14 Nov 2023 20:00:02 +0000
    Ready:          True
    Restart Count:  0
    Requests:
      cpu:        50m
    Environment:  <none>
    Mounts:       <none>
Containers:
  main:
    Container ID:        
    Image:               app:v2
    Image ID:            
    Port:                <none>
    Host Port:           <none>
    SeccompProfile:      Localhost
      LocalhostProfile:  profiles/audit.json
    State:               Terminated
      Reason:            OOMKilled
      Message:           out of memory
      Exit Code:         137
      Signal:            9
      Started:           Tue, 14 Nov 2023 20:00:03 +0000
      Finished:          Tue, 14 Nov 2023 21:00:03 +0000
    Ready:               False
    Restart Count:       1
    Requests:
      cpu:      250m
      memory:   100Mi
    Liveness:   http-get https://10.0.0.1:http/health%20z%3Fx delay=0s timeout=0s period=10s #success=0 #failure=0
    Readiness:  tcp-socket db.local:5432 delay=0s timeout=0s period=0s #success=0 #failure=0
    Startup:    grpc <pod>:9000 health delay=0s timeout=0s period=10s #success=0 #failure=30
    Environment:
      POD_NAME:   kitchen-sink (:metadata.name)
      POD_NS:     default (v1:metadata.namespace)
      POD_LABEL:   (v1:metadata.labels['app'])
      CPU_LIMIT:  node allocatable (limits.cpu)
      MEM_REQ:    100 (requests.memory)
      MEM_LIMIT:  node allocatable (limits.memory)
      MULTI:      first
                  second
    Mounts:       <none>
    Devices:      <none>
      /dev/xvda from block
Readiness Gates:
  Type                    Status
  example.com/feature-1   True 
  example.com/feature-2   <none> 
Conditions:
  Type                    Status
  example.com/feature-1   True 
Volumes:
  proj:
    Type:                Projected (a volume that contains injected data from multiple sources)
    SecretName:          s1
    SecretOptionalName:  true
    SecretName:          s2
    SecretOptionalName:  <nil>
    ConfigMapName:       c1
    ConfigMapOptional:   false
  dapi:
    Type:  DownwardAPI (a volume populated by information about the pod)
    Items:
      metadata.labels -> labels
      limits.cpu -> cpu
  nfs:
    Type:      NFS (an NFS mount that lasts the lifetime of a pod)
    Server:    nfs.local
    Path:      /exports
    ReadOnly:  true
  sec:
    Type:        Secret (a volume populated by a Secret)
    SecretName:  s3
    Optional:    true
  block:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  blockclaim
    ReadOnly:   true
  empty-sized:
    Type:                     EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:                   
    SizeLimit:                1Gi
QoS Class:                    Burstable
Node-Selectors:               <none>
Tolerations:                  :NoSchedule op=Exists
                              gpu=true:NoSchedule
                              special
Topology Spread Constraints:  node:ScheduleAnyway when max skew 2 is exceeded
                              zone:DoNotSchedule when max skew 1 is exceeded for selector app=web
Events:                       <none>
)txt");
}

// ---------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(replica_set_counts_only_the_selected_pods_it_controls) {
  // Counted: a, b (Running), c (Pending), d (Failed). Not: the orphan, and `stray`, which it
  // controls but no longer selects.
  BOOST_TEST(fixture(R"yaml(apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: myapp-rs
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-0000000000aa
  creationTimestamp: "2023-11-14T21:13:20Z"
  labels:
    app: myapp
    tier: front-end
spec:
  replicas: 4
  selector:
    matchLabels:
      type: front-end
  template:
    metadata:
      labels:
        app: myapp
        type: front-end
    spec:
      containers:
      - name: nginx-container
        image: nginx
status:
  replicas: 4
  readyReplicas: 3
  availableReplicas: 3
  fullyLabeledReplicas: 4
---
apiVersion: v1
kind: Pod
metadata:
  name: myapp-rs-a
  namespace: default
  labels: {type: front-end, app: myapp}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: myapp-rs, uid: 5c8a1d7e-0000-4000-8000-0000000000aa, controller: true}
spec:
  containers: [{name: nginx-container, image: nginx}]
status: {phase: Running}
---
apiVersion: v1
kind: Pod
metadata:
  name: myapp-rs-b
  namespace: default
  labels: {type: front-end, app: myapp}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: myapp-rs, uid: 5c8a1d7e-0000-4000-8000-0000000000aa, controller: true}
spec:
  containers: [{name: nginx-container, image: nginx}]
status: {phase: Running}
---
apiVersion: v1
kind: Pod
metadata:
  name: myapp-rs-c
  namespace: default
  labels: {type: front-end, app: myapp}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: myapp-rs, uid: 5c8a1d7e-0000-4000-8000-0000000000aa, controller: true}
spec:
  containers: [{name: nginx-container, image: nginx}]
status: {phase: Pending}
---
apiVersion: v1
kind: Pod
metadata:
  name: myapp-rs-d
  namespace: default
  labels: {type: front-end, app: myapp}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: myapp-rs, uid: 5c8a1d7e-0000-4000-8000-0000000000aa, controller: true}
spec:
  containers: [{name: nginx-container, image: nginx}]
status: {phase: Failed}
---
apiVersion: v1
kind: Pod
metadata:
  name: orphan
  namespace: default
  labels: {type: front-end}
spec:
  containers: [{name: nginx-container, image: nginx}]
status: {phase: Running}
---
apiVersion: v1
kind: Event
metadata: {name: myapp-rs.1, namespace: default}
involvedObject: {kind: ReplicaSet, namespace: default, name: myapp-rs, uid: 5c8a1d7e-0000-4000-8000-0000000000aa, apiVersion: apps/v1}
reason: SuccessfulCreate
message: "Created pod: myapp-rs-a"
source: {component: replicaset-controller}
firstTimestamp: "2023-11-14T21:13:20Z"
lastTimestamp: "2023-11-14T21:13:20Z"
count: 1
type: Normal
---
apiVersion: v1
kind: Event
metadata: {name: myapp-rs.2, namespace: default}
involvedObject: {kind: ReplicaSet, namespace: default, name: myapp-rs, uid: 5c8a1d7e-0000-4000-8000-0000000000aa, apiVersion: apps/v1}
reason: SuccessfulDelete
message: "Deleted pod: myapp-rs-x"
source: {component: replicaset-controller}
firstTimestamp: "2023-11-14T21:20:00Z"
lastTimestamp: "2023-11-14T21:50:00Z"
count: 3
type: Normal
---
apiVersion: v1
kind: Pod
metadata:
  name: stray
  namespace: default
  labels: {app: myapp}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: myapp-rs, uid: 5c8a1d7e-0000-4000-8000-0000000000aa, controller: true}
spec:
  containers: [{name: nginx-container, image: nginx}]
status: {phase: Running}
)yaml")
                 .describe<m::ReplicaSet>("myapp-rs") == R"txt(Name:         myapp-rs
Namespace:    default
Selector:     type=front-end
Labels:       app=myapp
              tier=front-end
Annotations:  <none>
Replicas:     4 current / 4 desired
Pods Status:  2 Running / 1 Waiting / 0 Succeeded / 1 Failed
Pod Template:
  Labels:  app=myapp
           type=front-end
  Containers:
   nginx-container:
    Image:         nginx
    Port:          <none>
    Host Port:     <none>
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:
  Type    Reason            Age                From                   Message
  ----    ------            ----               ----                   -------
  Normal  SuccessfulCreate  60m                replicaset-controller  Created pod: myapp-rs-a
  Normal  SuccessfulDelete  23m (x3 over 53m)  replicaset-controller  Deleted pod: myapp-rs-x
)txt");
}

BOOST_AUTO_TEST_CASE(replication_controller_template_conditions_and_pods) {
  BOOST_TEST(fixture(R"yaml(apiVersion: v1
kind: ReplicationController
metadata:
  name: myapp-rc
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-0000000000bb
  creationTimestamp: "2023-11-12T22:13:20Z"
  labels:
    app: myapp
    type: front-end
spec:
  replicas: 2
  selector:
    app: myapp-rc
  template:
    metadata:
      name: myapp-pod
      labels:
        app: myapp-rc
      annotations:
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: builder
      priorityClassName: high
      containers:
      - name: nginx-container
        image: nginx
        ports:
        - containerPort: 80
          hostPort: 8080
          protocol: TCP
        env:
        - name: A
          value: "1"
        resources:
          requests:
            cpu: 100m
      volumes:
      - name: shared
        emptyDir:
          medium: Memory
          sizeLimit: 64Mi
      nodeSelector:
        zone: a
      tolerations:
      - operator: Exists
status:
  replicas: 2
  readyReplicas: 2
  conditions:
  - type: ReplicaFailure
    status: "True"
    reason: FailedCreate
    message: quota exceeded
---
apiVersion: v1
kind: Pod
metadata:
  name: myapp-rc-1
  namespace: default
  labels: {app: myapp-rc}
  ownerReferences:
  - {apiVersion: v1, kind: ReplicationController, name: myapp-rc, uid: 5c8a1d7e-0000-4000-8000-0000000000bb, controller: true}
spec:
  containers: [{name: nginx-container, image: nginx}]
status: {phase: Succeeded}
---
apiVersion: v1
kind: Pod
metadata:
  name: myapp-rc-2
  namespace: default
  labels: {app: myapp-rc}
  ownerReferences:
  - {apiVersion: v1, kind: ReplicationController, name: myapp-rc, uid: 5c8a1d7e-0000-4000-8000-0000000000bb, controller: true}
spec:
  containers: [{name: nginx-container, image: nginx}]
status: {phase: Running}
)yaml")
                 .describe<m::ReplicationController>("myapp-rc") == R"txt(Name:         myapp-rc
Namespace:    default
Selector:     app=myapp-rc
Labels:       app=myapp
              type=front-end
Annotations:  <none>
Replicas:     2 current / 2 desired
Pods Status:  1 Running / 0 Waiting / 1 Succeeded / 0 Failed
Pod Template:
  Labels:           app=myapp-rc
  Annotations:      prometheus.io/scrape: true
  Service Account:  builder
  Containers:
   nginx-container:
    Image:      nginx
    Port:       80/TCP
    Host Port:  8080/TCP
    Requests:
      cpu:  100m
    Environment:
      A:     1
    Mounts:  <none>
  Volumes:
   shared:
    Type:               EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:             Memory
    SizeLimit:          64Mi
  Priority Class Name:  high
  Node-Selectors:       zone=a
  Tolerations:          op=Exists
Conditions:
  Type             Status  Reason
  ----             ------  ------
  ReplicaFailure   True    FailedCreate
Events:            <none>
)txt");
}

constexpr std::string_view deployment_yaml = R"yaml(apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp-deployment
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-0000000000cc
  creationTimestamp: "2023-11-14T21:13:20Z"
  labels:
    app: myapp
    type: front-end
  annotations:
    deployment.kubernetes.io/revision: "2"
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"apps/v1","kind":"Deployment"}
    kubernetes.io/change-cause: kubectl apply --filename=deployment-definition.yml --record=true
spec:
  replicas: 5
  selector:
    matchLabels:
      type: front-end
  template:
    metadata:
      labels:
        app: myapp
        type: front-end
    spec:
      containers:
      - name: nginx-container
        image: nginx:1.7.1
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 25%
      maxSurge: 1
  minReadySeconds: 0
status:
  replicas: 6
  updatedReplicas: 5
  readyReplicas: 4
  availableReplicas: 4
  unavailableReplicas: 2
  conditions:
  - type: Available
    status: "True"
    reason: MinimumReplicasAvailable
    message: Deployment has minimum availability.
  - type: Progressing
    status: "True"
    reason: ReplicaSetUpdated
    message: ReplicaSet "myapp-deployment-7d57dbdb8d" is progressing.
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: myapp-deployment-7d57dbdb8d
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-0000000000c1
  creationTimestamp: "2023-11-14T22:12:00Z"
  labels: {app: myapp, type: front-end, pod-template-hash: 7d57dbdb8d}
  ownerReferences:
  - {apiVersion: apps/v1, kind: Deployment, name: myapp-deployment, uid: 5c8a1d7e-0000-4000-8000-0000000000cc, controller: true}
spec:
  replicas: 5
  selector:
    matchLabels: {type: front-end, pod-template-hash: 7d57dbdb8d}
  template:
    metadata:
      labels: {app: myapp, type: front-end, pod-template-hash: 7d57dbdb8d}
    spec:
      containers:
      - name: nginx-container
        image: nginx:1.7.1
status: {replicas: 5}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: myapp-deployment-67c749c58c
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-0000000000c2
  creationTimestamp: "2023-11-14T21:13:20Z"
  labels: {app: myapp, type: front-end, pod-template-hash: 67c749c58c}
  ownerReferences:
  - {apiVersion: apps/v1, kind: Deployment, name: myapp-deployment, uid: 5c8a1d7e-0000-4000-8000-0000000000cc, controller: true}
spec:
  replicas: 1
  selector:
    matchLabels: {type: front-end, pod-template-hash: 67c749c58c}
  template:
    metadata:
      labels: {app: myapp, type: front-end, pod-template-hash: 67c749c58c}
    spec:
      containers:
      - name: nginx-container
        image: nginx
status: {replicas: 1}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: myapp-deployment-5f8b9c7d6e
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-0000000000c3
  creationTimestamp: "2023-11-14T20:13:20Z"
  labels: {app: myapp, type: front-end, pod-template-hash: 5f8b9c7d6e}
  ownerReferences:
  - {apiVersion: apps/v1, kind: Deployment, name: myapp-deployment, uid: 5c8a1d7e-0000-4000-8000-0000000000cc, controller: true}
spec:
  replicas: 0
  selector:
    matchLabels: {type: front-end, pod-template-hash: 5f8b9c7d6e}
  template:
    metadata:
      labels: {app: myapp, type: front-end, pod-template-hash: 5f8b9c7d6e}
    spec:
      containers:
      - name: nginx-container
        image: nginx:1.6
status: {replicas: 0}
---
apiVersion: v1
kind: Event
metadata: {name: myapp-deployment.1, namespace: default}
involvedObject: {kind: Deployment, namespace: default, name: myapp-deployment, uid: 5c8a1d7e-0000-4000-8000-0000000000cc, apiVersion: apps/v1}
reason: ScalingReplicaSet
message: Scaled up replica set myapp-deployment-67c749c58c to 5
source: {component: deployment-controller}
firstTimestamp: "2023-11-14T21:13:20Z"
lastTimestamp: "2023-11-14T21:13:20Z"
count: 1
type: Normal
---
apiVersion: v1
kind: Event
metadata: {name: myapp-deployment.2, namespace: default}
involvedObject: {kind: Deployment, namespace: default, name: myapp-deployment, uid: 5c8a1d7e-0000-4000-8000-0000000000cc, apiVersion: apps/v1}
reason: ScalingReplicaSet
message: Scaled up replica set myapp-deployment-7d57dbdb8d to 2
source: {component: deployment-controller}
firstTimestamp: "2023-11-14T22:12:00Z"
lastTimestamp: "2023-11-14T22:12:00Z"
count: 1
type: Normal
---
apiVersion: v1
kind: Event
metadata: {name: myapp-deployment.3, namespace: default}
involvedObject: {kind: Deployment, namespace: default, name: myapp-deployment, uid: 5c8a1d7e-0000-4000-8000-0000000000cc, apiVersion: apps/v1}
reason: ScalingReplicaSet
message: Scaled down replica set myapp-deployment-67c749c58c to 1 from 3
source: {component: deployment-controller}
firstTimestamp: "2023-11-14T22:12:30Z"
lastTimestamp: "2023-11-14T22:13:19Z"
count: 2
type: Normal
)yaml";

BOOST_AUTO_TEST_CASE(deployment_old_and_new_replica_sets_strategy_conditions_and_events) {
  // The new replica set is the one whose template is the deployment's (pod-template-hash
  // aside); the old ones, the empty one included, are listed oldest first.
  BOOST_TEST(fixture(deployment_yaml).describe<m::Deployment>("myapp-deployment") ==
             R"txt(Name:                   myapp-deployment
Namespace:              default
CreationTimestamp:      Tue, 14 Nov 2023 21:13:20 +0000
Labels:                 app=myapp
                        type=front-end
Annotations:            deployment.kubernetes.io/revision: 2
                        kubernetes.io/change-cause: kubectl apply --filename=deployment-definition.yml --record=true
Selector:               type=front-end
Replicas:               5 desired | 5 updated | 6 total | 4 available | 2 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 1 max surge
Pod Template:
  Labels:  app=myapp
           type=front-end
  Containers:
   nginx-container:
    Image:         nginx:1.7.1
    Port:          <none>
    Host Port:     <none>
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    ReplicaSetUpdated
OldReplicaSets:  myapp-deployment-5f8b9c7d6e (0/0 replicas created), myapp-deployment-67c749c58c (1/1 replicas created)
NewReplicaSet:   myapp-deployment-7d57dbdb8d (5/5 replicas created)
Events:
  Type    Reason             Age               From                   Message
  ----    ------             ----              ----                   -------
  Normal  ScalingReplicaSet  60m               deployment-controller  Scaled up replica set myapp-deployment-67c749c58c to 5
  Normal  ScalingReplicaSet  80s               deployment-controller  Scaled up replica set myapp-deployment-7d57dbdb8d to 2
  Normal  ScalingReplicaSet  1s (x2 over 50s)  deployment-controller  Scaled down replica set myapp-deployment-67c749c58c to 1 from 3
)txt");
}

BOOST_AUTO_TEST_CASE(deployment_ignores_replica_sets_it_does_not_control) {
  const fixture objects(deployment_yaml);
  const m::Deployment& deployment = objects.get<m::Deployment>("myapp-deployment");
  describe_context context = objects.context_for(deployment);
  m::ReplicaSet foreign = objects.get<m::ReplicaSet>("myapp-deployment-7d57dbdb8d");
  foreign.mutable_metadata()->set_name("someone-elses");
  foreign.mutable_metadata()->mutable_owner_references(0)->set_uid("another-uid");
  context.replica_sets.push_back(&foreign);
  const std::string text = troupe::cli::describe(deployment, context);
  BOOST_TEST(text.find("someone-elses") == std::string::npos);
  BOOST_TEST(text.find("NewReplicaSet:   myapp-deployment-7d57dbdb8d (5/5 replicas created)\n") !=
             std::string::npos);

  context.replica_sets.clear();
  BOOST_TEST(troupe::cli::describe(deployment, context).find("OldReplicaSets") ==
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(deployment_creation_time_follows_a_negative_utc_offset) {
  const fixture objects(deployment_yaml);
  const m::Deployment& deployment = objects.get<m::Deployment>("myapp-deployment");
  describe_context context = objects.context_for(deployment);
  context.utc_offset_seconds = -(3 * 3600 + 1800);
  // As kubectl printed it with TZ=America/St_Johns.
  BOOST_TEST(troupe::cli::describe(deployment, context)
                 .find("CreationTimestamp:      Tue, 14 Nov 2023 17:43:20 -0330\n") !=
             std::string::npos);
}

// ---------------------------------------------------------------------------
// Services and endpoints
// ---------------------------------------------------------------------------

constexpr std::string_view service_yaml = R"yaml(apiVersion: v1
kind: Service
metadata:
  name: myapp-service
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-0000000000dd
  creationTimestamp: "2023-11-14T21:13:20Z"
  labels:
    app: myapp
spec:
  type: NodePort
  selector:
    app: myapp
    type: front-end
  clusterIP: 10.96.104.21
  clusterIPs: [10.96.104.21]
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  ports:
  - name: http
    protocol: TCP
    port: 80
    targetPort: 80
    nodePort: 30008
  - name: metrics
    protocol: TCP
    port: 9090
    targetPort: metrics
    appProtocol: http
  sessionAffinity: ClientIP
  externalTrafficPolicy: Cluster
  internalTrafficPolicy: Cluster
---
apiVersion: v1
kind: Endpoints
metadata:
  name: myapp-service
  namespace: default
  labels: {app: myapp}
subsets:
- addresses:
  - ip: 10.244.0.24
  - ip: 10.244.0.25
  notReadyAddresses:
  - ip: 10.244.0.26
  ports:
  - {name: http, port: 80, protocol: TCP}
  - {name: metrics, port: 9090, protocol: TCP}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: myapp-service-abcde
  namespace: default
  labels: {kubernetes.io/service-name: myapp-service}
addressType: IPv4
endpoints:
- addresses: [10.244.0.24]
  conditions: {ready: true}
- addresses: [10.244.0.25]
  conditions: {ready: true}
- addresses: [10.244.0.26]
  conditions: {ready: false}
ports:
- {name: http, port: 80, protocol: TCP}
- {name: metrics, port: 9090, protocol: TCP}
---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: default
  creationTimestamp: "2023-11-14T21:13:20Z"
spec:
  type: ClusterIP
  selector: {app: db}
  clusterIP: 10.96.0.50
  ports:
  - protocol: TCP
    port: 27017
    targetPort: 27017
  sessionAffinity: None
)yaml";

BOOST_AUTO_TEST_CASE(service_node_port_with_ready_endpoints_per_port) {
  BOOST_TEST(fixture(service_yaml).describe<m::Service>("myapp-service") ==
             R"txt(Name:                     myapp-service
Namespace:                default
Labels:                   app=myapp
Annotations:              <none>
Selector:                 app=myapp,type=front-end
Type:                     NodePort
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.104.21
IPs:                      10.96.104.21
Port:                     http  80/TCP
TargetPort:               80/TCP
NodePort:                 http  30008/TCP
Endpoints:                10.244.0.24:80,10.244.0.25:80
Port:                     metrics  9090/TCP
TargetPort:               metrics/TCP
Endpoints:                10.244.0.24:9090,10.244.0.25:9090
Session Affinity:         ClientIP
External Traffic Policy:  Cluster
Internal Traffic Policy:  Cluster
Events:                   <none>
)txt");
}

BOOST_AUTO_TEST_CASE(service_without_endpoints_or_port_name) {
  BOOST_TEST(fixture(service_yaml).describe<m::Service>("db") == R"txt(Name:              db
Namespace:         default
Labels:            <none>
Annotations:       <none>
Selector:          app=db
Type:              ClusterIP
IP Families:       <none>
IP:                10.96.0.50
IPs:               <none>
Port:              <unset>  27017/TCP
TargetPort:        27017/TCP
Endpoints:         <none>
Session Affinity:  None
Events:            <none>
)txt");
}

BOOST_AUTO_TEST_CASE(endpoints_subsets_and_ports) {
  BOOST_TEST(fixture(service_yaml).describe<m::Endpoints>("myapp-service") ==
             R"txt(Name:         myapp-service
Namespace:    default
Labels:       app=myapp
Annotations:  <none>
Subsets:
  Addresses:          10.244.0.24,10.244.0.25
  NotReadyAddresses:  10.244.0.26
  Ports:
    Name     Port  Protocol
    ----     ----  --------
    http     80    TCP
    metrics  9090  TCP

Events:  <none>
)txt");
}

// ---------------------------------------------------------------------------
// Nodes and namespaces
// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(node_roles_taints_lease_conditions_and_allocated_resources) {
  // web-1 requests the larger of its init container and the sum of its containers.
  const fixture objects(R"yaml(apiVersion: v1
kind: Node
metadata:
  name: minikube
  uid: 5c8a1d7e-0000-4000-8000-0000000000ee
  creationTimestamp: "2023-11-01T10:00:00Z"
  labels:
    kubernetes.io/hostname: minikube
    kubernetes.io/os: linux
    node-role.kubernetes.io/control-plane: ""
    node-role.kubernetes.io/worker: ""
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    volumes.kubernetes.io/controller-managed-attach-detach: "true"
spec:
  podCIDR: 10.244.0.0/24
  podCIDRs: [10.244.0.0/24]
  taints:
  - key: node-role.kubernetes.io/control-plane
    effect: NoSchedule
  - key: dedicated
    value: db
    effect: NoExecute
status:
  capacity:
    cpu: "2"
    ephemeral-storage: 17784752Ki
    memory: 4015876Ki
    pods: "110"
  allocatable:
    cpu: "2"
    ephemeral-storage: 17784752Ki
    memory: 3913476Ki
    pods: "110"
  conditions:
  - type: MemoryPressure
    status: "False"
    lastHeartbeatTime: "2023-11-14T22:10:00Z"
    lastTransitionTime: "2023-11-01T10:00:00Z"
    reason: KubeletHasSufficientMemory
    message: kubelet has sufficient memory available
  - type: Ready
    status: "True"
    lastHeartbeatTime: "2023-11-14T22:10:00Z"
    lastTransitionTime: "2023-11-01T10:00:30Z"
    reason: KubeletReady
    message: kubelet is posting ready status
  addresses:
  - type: InternalIP
    address: 192.168.49.2
  - type: Hostname
    address: minikube
  nodeInfo:
    machineID: 1b2c3d4e5f
    systemUUID: 6a7b8c9d-0000
    bootID: 0f1e2d3c-0000
    kernelVersion: 6.1.0-13-amd64
    osImage: Ubuntu 22.04.3 LTS
    containerRuntimeVersion: troupe://0.1.0
    kubeletVersion: v1.32.0
    kubeProxyVersion: v1.32.0
    operatingSystem: linux
    architecture: amd64
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: minikube
  namespace: kube-node-lease
spec:
  holderIdentity: minikube
  leaseDurationSeconds: 40
  renewTime: "2023-11-14T22:13:15.000000Z"
---
apiVersion: v1
kind: Pod
metadata:
  name: coredns-5dd5756b68-abcde
  namespace: kube-system
  creationTimestamp: "2023-11-01T10:00:40Z"
spec:
  nodeName: minikube
  containers:
  - name: coredns
    image: coredns
    resources:
      limits: {memory: 170Mi}
      requests: {cpu: 100m, memory: 70Mi}
status: {phase: Running}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: default
  creationTimestamp: "2023-11-14T22:03:20Z"
spec:
  nodeName: minikube
  initContainers:
  - name: setup
    image: busybox
    resources:
      requests: {cpu: "1", ephemeral-storage: 1Gi}
  containers:
  - name: web
    image: nginx
    resources:
      limits: {cpu: 500m, memory: 128Mi}
      requests: {cpu: 250m, memory: 64Mi}
  - name: log
    image: busybox
    resources:
      requests: {cpu: 100m}
status: {phase: Running}
---
apiVersion: v1
kind: Event
metadata: {name: minikube.1, namespace: default}
involvedObject: {kind: Node, name: minikube, uid: minikube}
reason: NodeReady
message: "Node minikube status is now: NodeReady"
source: {component: kubelet, host: minikube}
firstTimestamp: "2023-11-14T22:10:00Z"
lastTimestamp: "2023-11-14T22:10:00Z"
count: 1
type: Normal
---
apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
  namespace: default
  creationTimestamp: "2023-11-14T22:00:00Z"
spec:
  nodeName: minikube
  containers:
  - name: nginx
    image: nginx:1.25
    resources:
      limits: {cpu: 500m, memory: 128Mi}
      requests: {cpu: 250m, memory: 64Mi}
status: {phase: Running}
)yaml");
  const m::Node& node = objects.get<m::Node>("minikube");
  describe_context context = objects.context_for(node);
  context.lease = troupe::cli::node_lease{"minikube", 0, 1'699'999'995'000};
  BOOST_TEST(troupe::cli::describe(node, context) == R"txt(Name:               minikube
Roles:              control-plane,worker
Labels:             kubernetes.io/hostname=minikube
                    kubernetes.io/os=linux
                    node-role.kubernetes.io/control-plane=
                    node-role.kubernetes.io/worker=
Annotations:        node.alpha.kubernetes.io/ttl: 0
                    volumes.kubernetes.io/controller-managed-attach-detach: true
CreationTimestamp:  Wed, 01 Nov 2023 10:00:00 +0000
Taints:             dedicated=db:NoExecute
                    node-role.kubernetes.io/control-plane:NoSchedule
Unschedulable:      false
Lease:
  HolderIdentity:  minikube
  AcquireTime:     <unset>
  RenewTime:       Tue, 14 Nov 2023 22:13:15 +0000
Conditions:
  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message
  ----             ------  -----------------                 ------------------                ------                       -------
  MemoryPressure   False   Tue, 14 Nov 2023 22:10:00 +0000   Wed, 01 Nov 2023 10:00:00 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available
  Ready            True    Tue, 14 Nov 2023 22:10:00 +0000   Wed, 01 Nov 2023 10:00:30 +0000   KubeletReady                 kubelet is posting ready status
Addresses:
  InternalIP:  192.168.49.2
  Hostname:    minikube
Capacity:
  cpu:                2
  ephemeral-storage:  17784752Ki
  memory:             4015876Ki
  pods:               110
Allocatable:
  cpu:                2
  ephemeral-storage:  17784752Ki
  memory:             3913476Ki
  pods:               110
System Info:
  Machine ID:                 1b2c3d4e5f
  System UUID:                6a7b8c9d-0000
  Boot ID:                    0f1e2d3c-0000
  Kernel Version:             6.1.0-13-amd64
  OS Image:                   Ubuntu 22.04.3 LTS
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  troupe://0.1.0
  Kubelet Version:            v1.32.0
  Kube-Proxy Version:         v1.32.0
PodCIDR:                      10.244.0.0/24
PodCIDRs:                     10.244.0.0/24
Non-terminated Pods:          (3 in total)
  Namespace                   Name                        CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----                        ------------  ----------  ---------------  -------------  ---
  kube-system                 coredns-5dd5756b68-abcde    100m (5%)     0 (0%)      70Mi (1%)        170Mi (4%)     13d
  default                     web-1                       1 (50%)       500m (25%)  64Mi (1%)        128Mi (3%)     10m
  default                     myapp-pod                   250m (12%)    500m (25%)  64Mi (1%)        128Mi (3%)     13m
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests     Limits
  --------           --------     ------
  cpu                1350m (67%)  1 (50%)
  memory             198Mi (5%)   426Mi (11%)
  ephemeral-storage  1Gi (5%)     0 (0%)
Events:
  Type    Reason     Age    From     Message
  ----    ------     ----   ----     -------
  Normal  NodeReady  3m20s  kubelet  Node minikube status is now: NodeReady
)txt");
}

BOOST_AUTO_TEST_CASE(namespace_status_without_events) {
  BOOST_TEST(fixture(R"yaml(apiVersion: v1
kind: Namespace
metadata:
  name: dev
  uid: 5c8a1d7e-0000-4000-8000-0000000000ff
  creationTimestamp: "2023-11-14T21:13:20Z"
  labels:
    kubernetes.io/metadata.name: dev
spec:
  finalizers: [kubernetes]
status:
  phase: Active
)yaml")
                 .describe<m::Namespace>("dev") == R"txt(Name:         dev
Labels:       kubernetes.io/metadata.name=dev
Annotations:  <none>
Status:       Active
)txt");
}

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(config_map_data_and_binary_data_sizes) {
  BOOST_TEST(fixture(R"yaml(apiVersion: v1
kind: ConfigMap
metadata:
  name: mongodb-configmap
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-000000000101
  creationTimestamp: "2023-11-14T21:13:20Z"
data:
  database_url: mongodb-service
  settings.ini: |
    [main]
    debug = false
binaryData:
  logo.png: iVBORw0KGgo=
)yaml")
                 .describe<m::ConfigMap>("mongodb-configmap") ==
             R"txt(Name:         mongodb-configmap
Namespace:    default
Labels:       <none>
Annotations:  <none>

Data
====
database_url:
----
mongodb-service

settings.ini:
----
[main]
debug = false



BinaryData
====
logo.png: 8 bytes

Events:  <none>
)txt");
}

constexpr std::string_view secret_yaml = R"yaml(apiVersion: v1
kind: Secret
metadata:
  name: mongodb-secret
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-000000000102
  creationTimestamp: "2023-11-14T21:13:20Z"
  labels: {app: mongodb}
type: Opaque
data:
  mongo-root-password: czNjcjN0LVBhc3N3MHJk
  mongo-root-username: cm9vdC1hZG1pbg==
---
apiVersion: v1
kind: Secret
metadata:
  name: builder-token
  namespace: default
  annotations:
    kubernetes.io/service-account.name: builder
type: kubernetes.io/service-account-token
data:
  ca.crt: LS0tLS1DRVJULS0tLS0=
  namespace: bnMtcGF5bWVudHM=
  token: ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklpSjku
)yaml";

BOOST_AUTO_TEST_CASE(secret_shows_sizes_never_values) {
  const fixture objects(secret_yaml);
  // Edited: kubectl 1.32 lists the keys in Go map order, which changes from run to run;
  // we sort them.
  const std::string opaque = objects.describe<m::Secret>("mongodb-secret");
  BOOST_TEST(opaque == R"txt(Name:         mongodb-secret
Namespace:    default
Labels:       app=mongodb
Annotations:  <none>

Type:  Opaque

Data
====
mongo-root-password:  15 bytes
mongo-root-username:  10 bytes
)txt");
  // Edited: kubectl prints a service-account token in clear; we print its size.
  const std::string token = objects.describe<m::Secret>("builder-token");
  BOOST_TEST(token == R"txt(Name:         builder-token
Namespace:    default
Labels:       <none>
Annotations:  kubernetes.io/service-account.name: builder

Type:  kubernetes.io/service-account-token

Data
====
ca.crt:     14 bytes
namespace:  11 bytes
token:      33 bytes
)txt");
  for (const m::Secret* secret : objects.all<m::Secret>())
    for (const auto& [key, value] : secret->data()) {
      BOOST_TEST_REQUIRE(value.size() > 5u);
      BOOST_TEST(opaque.find(value) == std::string::npos, key);
      BOOST_TEST(token.find(value) == std::string::npos, key);
    }
}

BOOST_AUTO_TEST_CASE(terminal_escapes_and_long_annotations) {
  // ESC shows as "^[" and CR as "\r"; a tab in a value is a cell break, as in kubectl.
  BOOST_TEST(fixture(R"yaml(apiVersion: v1
kind: ConfigMap
metadata:
  name: esc
  namespace: default
  labels: {a: "x"}
  annotations:
    evil: "red\e[31mX\rY\tZ"
    long: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    multi: "line1\nline2\n"
data:
  k: "v\e"
)yaml")
                 .describe<m::ConfigMap>("esc") == R"txt(Name:         esc
Namespace:    default
Labels:       a=x
Annotations:  evil: red^[[31mX\rY  Z
              long:
                aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...
              multi:
                line1
                line2

Data
====
k:
----
v^[


BinaryData
====

Events:  <none>
)txt");
}

// ---------------------------------------------------------------------------
// Storage and autoscaling
// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(persistent_volume_claim_and_source) {
  BOOST_TEST(fixture(R"yaml(apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-vol1
  uid: 5c8a1d7e-0000-4000-8000-000000000103
  creationTimestamp: "2023-11-14T21:13:20Z"
  finalizers: [kubernetes.io/pv-protection]
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  persistentVolumeReclaimPolicy: Retain
  volumeMode: Filesystem
  hostPath:
    path: /tmp/data
    type: ""
  claimRef:
    kind: PersistentVolumeClaim
    namespace: default
    name: myclaim
status:
  phase: Bound
)yaml")
                 .describe<m::PersistentVolume>("pv-vol1") == R"txt(Name:            pv-vol1
Labels:          <none>
Annotations:     <none>
Finalizers:      [kubernetes.io/pv-protection]
StorageClass:    
Status:          Bound
Claim:           default/myclaim
Reclaim Policy:  Retain
Access Modes:    RWO,ROX
VolumeMode:      Filesystem
Capacity:        1Gi
Node Affinity:   <none>
Message:         
Source:
    Type:          HostPath (bare host directory volume)
    Path:          /tmp/data
    HostPathType:  
Events:            <none>
)txt");
}

BOOST_AUTO_TEST_CASE(persistent_volume_claim_used_by_the_pods_mounting_it) {
  BOOST_TEST(fixture(R"yaml(apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: myclaim
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-000000000104
  creationTimestamp: "2023-11-14T21:13:20Z"
  finalizers: [kubernetes.io/pvc-protection]
  annotations:
    pv.kubernetes.io/bind-completed: "yes"
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 500Mi
  volumeName: pv-vol1
  storageClassName: ""
  volumeMode: Filesystem
status:
  phase: Bound
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  capacity:
    storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: mongodb
  namespace: default
spec:
  containers: [{name: mongodb, image: mongo}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: myclaim}
---
apiVersion: v1
kind: Pod
metadata:
  name: other
  namespace: default
spec:
  containers: [{name: other, image: busybox}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: otherclaim}
)yaml")
                 .describe<m::PersistentVolumeClaim>("myclaim") == R"txt(Name:          myclaim
Namespace:     default
StorageClass:  
Status:        Bound
Volume:        pv-vol1
Labels:        <none>
Annotations:   pv.kubernetes.io/bind-completed: yes
Finalizers:    [kubernetes.io/pvc-protection]
Capacity:      1Gi
Access Modes:  RWO,ROX
VolumeMode:    Filesystem
Used By:       mongodb
Events:        <none>
)txt");
}

BOOST_AUTO_TEST_CASE(horizontal_pod_autoscaler_metrics_behavior_and_conditions) {
  BOOST_TEST(fixture(R"yaml(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: myapp-hpa
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-000000000105
  creationTimestamp: "2023-11-14T21:13:20Z"
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: myapp-deployment
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 50
  - type: Resource
    resource:
      name: memory
      target:
        type: AverageValue
        averageValue: 100Mi
  - type: Pods
    pods:
      metric:
        name: packets-per-second
      target:
        type: AverageValue
        averageValue: 1k
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      policies:
      - type: Percent
        value: 100
        periodSeconds: 15
    scaleUp:
      stabilizationWindowSeconds: 0
      selectPolicy: Max
      policies:
      - type: Percent
        value: 100
        periodSeconds: 15
      - type: Pods
        value: 4
        periodSeconds: 15
status:
  currentReplicas: 3
  desiredReplicas: 3
  currentMetrics:
  - type: Resource
    resource:
      name: cpu
      current:
        averageUtilization: 22
        averageValue: 110m
  conditions:
  - type: AbleToScale
    status: "True"
    reason: ReadyForNewScale
    message: recommended size matches current size
  - type: ScalingActive
    status: "True"
    reason: ValidMetricFound
    message: the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)
)yaml")
                 .describe<m::HorizontalPodAutoscaler>("myapp-hpa") ==
             R"txt(Name:                                                  myapp-hpa
Namespace:                                             default
Labels:                                                <none>
Annotations:                                           <none>
CreationTimestamp:                                     Tue, 14 Nov 2023 21:13:20 +0000
Reference:                                             Deployment/myapp-deployment
Metrics:                                               ( current / target )
  resource cpu on pods  (as a percentage of request):  22% (110m) / 50%
  resource memory on pods:                             <unknown> / 100Mi
  "packets-per-second" on pods:                        <unknown> / 1k
Min replicas:                                          1
Max replicas:                                          10
Behavior:
  Scale Up:
    Stabilization Window: 0 seconds
    Select Policy: Max
    Policies:
      - Type: Percent  Value: 100  Period: 15 seconds
      - Type: Pods     Value: 4    Period: 15 seconds
  Scale Down:
    Stabilization Window: 300 seconds
    Select Policy: Max
    Policies:
      - Type: Percent  Value: 100  Period: 15 seconds
Deployment pods:       3 current / 3 desired
Conditions:
  Type           Status  Reason            Message
  ----           ------  ------            -------
  AbleToScale    True    ReadyForNewScale  recommended size matches current size
  ScalingActive  True    ValidMetricFound  the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)
Events:          <none>
)txt");
}

// ---------------------------------------------------------------------------
// The generic describer
// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(generic_fallback_for_an_event) {
  BOOST_TEST(fixture(R"yaml(apiVersion: v1
kind: Event
metadata:
  name: myapp-pod.2
  namespace: default
involvedObject:
  kind: Pod
  namespace: default
  name: myapp-pod
  uid: 5c8a1d7e-0000-4000-8000-000000000001
  fieldPath: spec.containers{nginx}
reason: Pulled
message: "Container image \"nginx:1.25\" already present on machine\n"
source:
  component: kubelet
  host: minikube
firstTimestamp: "2023-11-14T22:00:05Z"
lastTimestamp: "2023-11-14T22:00:05Z"
count: 1
type: Normal
)yaml")
                 .describe<m::Event>("myapp-pod.2") == R"txt(Name:             myapp-pod.2
Namespace:        default
Labels:           <none>
Annotations:      <none>
API Version:      v1
Count:            1
First Timestamp:  2023-11-14T22:00:05Z
Involved Object:
  Field Path:    spec.containers{nginx}
  Kind:          Pod
  Name:          myapp-pod
  Namespace:     default
  UID:           5c8a1d7e-0000-4000-8000-000000000001
Kind:            Event
Last Timestamp:  2023-11-14T22:00:05Z
Message:         Container image "nginx:1.25" already present on machine

Metadata:
Reason:  Pulled
Source:
  Component:  kubelet
  Host:       minikube
Type:         Normal
Events:       <none>
)txt");
}

BOOST_AUTO_TEST_CASE(generic_fallback_for_nested_maps_and_lists) {
  // kubectl has a NetworkPolicy describer, so to see its generic describer the object was
  // served under a made-up API group. Edited: that group in "API Version".
  BOOST_TEST(fixture(R"yaml(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-policy
  namespace: default
  uid: 5c8a1d7e-0000-4000-8000-000000000201
  resourceVersion: "42"
  generation: 1
  creationTimestamp: "2023-11-14T21:13:20Z"
  labels:
    app: db
  annotations:
    note: restricted
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 6379
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - protocol: TCP
      port: 5978
      endPort: 6000
)yaml")
                 .describe<m::NetworkPolicy>("db-policy") ==
             R"txt(Name:         db-policy
Namespace:    default
Labels:       app=db
Annotations:  note: restricted
API Version:  networking.k8s.io/v1
Kind:         NetworkPolicy
Metadata:
  Creation Timestamp:  2023-11-14T21:13:20Z
  Generation:          1
  Resource Version:    42
  UID:                 5c8a1d7e-0000-4000-8000-000000000201
Spec:
  Egress:
    Ports:
      End Port:  6000
      Port:      5978
      Protocol:  TCP
    To:
      Ip Block:
        Cidr:  10.0.0.0/24
  Ingress:
    From:
      Ip Block:
        Cidr:  172.17.0.0/16
        Except:
          172.17.1.0/24
      Pod Selector:
        Match Labels:
          Role:  frontend
    Ports:
      Port:      6379
      Protocol:  TCP
  Pod Selector:
    Match Labels:
      Role:  db
  Policy Types:
    Ingress
    Egress
Events:  <none>
)txt");
}

// ---------------------------------------------------------------------------
// The tab layout
// ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(align_tabs_pads_each_column_block_to_its_widest_cell_plus_two) {
  using troupe::cli::align_tabs;
  BOOST_TEST(align_tabs("a\tb\nlonger\tc\n") == "a       b\nlonger  c\n");
  // A line without a cell in the column ends the block.
  BOOST_TEST(align_tabs("a\tb\nx\nlonger\tc\n") == "a  b\nx\nlonger  c\n");
  // Inner columns are blocks of their own within the outer one.
  BOOST_TEST(align_tabs("a\tbb\tc\naaa\tb\tc\naa\tz\n") == "a    bb  c\naaa  b   c\naa   z\n");
  // The text after the last tab is never padded; an empty cell still is.
  BOOST_TEST(align_tabs("key:\t\nk:\tvalue\n") == "key:  \nk:    value\n");
  // Widths count characters, not bytes.
  BOOST_TEST(align_tabs("\xc3\xa9\tx\nab\ty\n") == "\xc3\xa9   x\nab  y\n");
}

BOOST_AUTO_TEST_SUITE_END()
