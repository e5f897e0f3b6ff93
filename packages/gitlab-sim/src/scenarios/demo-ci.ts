/**
 * The `.gitlab-ci.yml` files of the demo world: the orchestration project
 * (`evenergi/develop`) and a service project. The demo scenario commits them.
 */

const ORCHESTRATOR = `spec:
  inputs:
    action:
      description: What the orchestration pipeline does.
      options:
        - deploy-release-branch-to-staging
        - bring-all-code-to-release-branch
    project:
      type: string
      description: Path of the target project, e.g. evenergi/charging-api.
    confirm:
      type: boolean
      default: false
      description: Must be true for anything to happen.
---
workflow:
  name: '$[[ inputs.action ]] $[[ inputs.project ]] confirm=$[[ inputs.confirm ]]'

stages:
  - check
  - release
  - deploy

confirmation-required:
  stage: check
  rules:
    - if: '"$[[ inputs.confirm ]]" != "true"'
  variables:
    SIM_ACTION: fail
    SIM_DURATION_SECONDS: "5"
  script:
    - echo "Refusing to run without confirm=true" && exit 1

# The weekly cut-off: rebuilds release from the default branch of the target project.
bring-all-code-to-release-branch:
  stage: release
  rules:
    - if: '"$[[ inputs.action ]]" == "bring-all-code-to-release-branch" && "$[[ inputs.confirm ]]" == "true"'
  variables:
    SIM_ACTION: reset-release-from-default
    SIM_TARGET_PROJECT: $[[ inputs.project ]]
    SIM_TARGET_BRANCH: release
    SIM_DURATION_SECONDS: "20"
  script:
    - git clone "$CI_SERVER_URL/$[[ inputs.project ]].git" target && cd target
    - git push --force origin "origin/$CI_DEFAULT_BRANCH:release"

deploy-after-cut-off:
  stage: deploy
  rules:
    - if: '"$[[ inputs.action ]]" == "bring-all-code-to-release-branch" && "$[[ inputs.confirm ]]" == "true"'
  trigger:
    project: $[[ inputs.project ]]
    branch: release
    strategy: depend

deploy-release-branch-to-staging:
  stage: deploy
  rules:
    - if: '"$[[ inputs.action ]]" == "deploy-release-branch-to-staging" && "$[[ inputs.confirm ]]" == "true"'
  variables:
    ORCHESTRATED_BY: $CI_PROJECT_PATH
  trigger:
    project: $[[ inputs.project ]]
    branch: release
    strategy: depend
`;

const SERVICE = `stages:
  - build
  - deploy
  - verify

test:
  stage: build
  rules:
    - if: '$CI_COMMIT_BRANCH != "release"'
  variables:
    SIM_DURATION_SECONDS: "10"
  script:
    - make test

build:
  stage: build
  rules:
    - if: '$CI_COMMIT_BRANCH == "release"'
  variables:
    SIM_DURATION_SECONDS: "10"
  script:
    - make build

deploy-staging:
  stage: deploy
  rules:
    - if: '$CI_COMMIT_BRANCH == "release"'
  variables:
    SIM_DURATION_SECONDS: "30"
  script:
    - ./deploy.sh staging "$CI_COMMIT_SHA"
  environment:
    name: staging
    url: $CI_SERVER_URL/-/sim/services/$CI_PROJECT_PATH/staging
    deployment_tier: staging

smoke:
  stage: verify
  rules:
    - if: '$CI_COMMIT_BRANCH == "release"'
  variables:
    SIM_DURATION_SECONDS: "10"
  script:
    - curl -fsS "$CI_ENVIRONMENT_URL/health"
`;

// The same orchestration for GitLab before pipeline inputs (17.10): the guided choices arrive as
// pipeline variables `action`, `project`, `confirm` (strings).
const ORCHESTRATOR_VARIABLES = `workflow:
  name: '$action $project confirm=$confirm'

stages:
  - check
  - release
  - deploy

confirmation-required:
  stage: check
  rules:
    - if: '$confirm != "true"'
  variables:
    SIM_ACTION: fail
    SIM_DURATION_SECONDS: "5"
  script:
    - echo "Refusing to run without confirm=true" && exit 1

bring-all-code-to-release-branch:
  stage: release
  rules:
    - if: '$action == "bring-all-code-to-release-branch" && $confirm == "true"'
  variables:
    SIM_ACTION: reset-release-from-default
    SIM_TARGET_PROJECT: $project
    SIM_TARGET_BRANCH: release
    SIM_DURATION_SECONDS: "20"
  script:
    - git push --force "$CI_SERVER_URL/$project.git" "origin/$CI_DEFAULT_BRANCH:release"

deploy-after-cut-off:
  stage: deploy
  rules:
    - if: '$action == "bring-all-code-to-release-branch" && $confirm == "true"'
  trigger:
    project: $project
    branch: release
    strategy: depend

deploy-release-branch-to-staging:
  stage: deploy
  rules:
    - if: '$action == "deploy-release-branch-to-staging" && $confirm == "true"'
  variables:
    ORCHESTRATED_BY: $CI_PROJECT_PATH
  trigger:
    project: $project
    branch: release
    strategy: depend
`;

// The realistic demo's orchestrator: the same inputs, but the target's deploy pipeline is started by a
// script calling the pipeline trigger API (no `trigger:` bridge), as many real orchestrators do.
const TRIGGER_API_DEPLOY = `  variables:
    SIM_ACTION: trigger-pipeline
    SIM_TARGET_PROJECT: $[[ inputs.project ]]
    SIM_TARGET_BRANCH: release
    SIM_TRIGGER_TOKEN: trigger-token
    SIM_DURATION_SECONDS: "5"
  script:
    - curl --fail --request POST --form "token=$DEPLOY_TRIGGER_TOKEN" --form ref=release "$CI_API_V4_URL/projects/$[[ inputs.project ]]/trigger/pipeline"
`;

function withTriggerApi(orchestrator: string): string {
  const bridge = / {2}trigger:\n {4}project: \$\[\[ inputs\.project \]\]\n {4}branch: release\n {4}strategy: depend\n/g;
  return orchestrator
    .replace(/ {2}variables:\n {4}ORCHESTRATED_BY: \$CI_PROJECT_PATH\n/, '')
    .replace(bridge, TRIGGER_API_DEPLOY);
}

const ORCHESTRATOR_TRIGGER_API = withTriggerApi(ORCHESTRATOR);

/**
 * The CI files of the demo: the orchestrator's (guided `spec: inputs:`), the same orchestrator
 * driven by pipeline variables (GitLab before 17.10), the same orchestrator starting the deploy
 * through the trigger API (no bridge; the realistic demo commits it), and a service's (deploys
 * `release` to staging).
 */
export function demoCiFiles(): {
  orchestrator: string;
  orchestratorVariables: string;
  orchestratorTriggerApi: string;
  service: string;
} {
  return {
    orchestrator: ORCHESTRATOR,
    orchestratorVariables: ORCHESTRATOR_VARIABLES,
    orchestratorTriggerApi: ORCHESTRATOR_TRIGGER_API,
    service: SERVICE,
  };
}
