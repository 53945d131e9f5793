"""vulture allow-list: names vulture cannot see used, each with why. One entry per name (vulture matches
names, not places; the places are in the comment). To review: empty this file below the header, run
.venv/bin/vulture, and keep only what it reports again (anything else is used now or gone)."""

# ruff: noqa
# mypy: ignore-errors

# ---- type-checking-only imports: read in string annotations --------------------------------------
DynamoDBServiceResource  # functions/adapters/aws.py: the annotation of aws.dynamodb()
S3Client  # functions/adapters/aws.py, zip_export.py: the annotation of S3 clients
SFNClient  # functions/adapters/aws.py: the annotation of aws.stepfunctions()
ApiGatewayManagementApiClient  # functions/adapters/connection_notifier.py: the annotation of its client

# ---- pydantic: model settings, validators and serializers pydantic calls ----------------------------
model_config  # every BaseModel's and BaseSettings' configuration (functions/domain/*, functions/config.py)
_._every_plan_fits  # model validator (functions/domain/capacity.py)
_.check_pattern  # field validator (functions/domain/exports.py)
_.check_hls  # model validator (functions/domain/exports.py)
_._omit_unset  # model serializer (functions/domain/media_values.py)
_.count_and_files_agree  # model validator (functions/domain/schemas.py: BatchJobCreate)
_.one_source  # model validator (functions/domain/schemas.py)
something_to_change  # model validator (functions/domain/schemas.py: BatchJobEdit)
_.split_keywords  # field validator (functions/domain/settings.py)
_.check_combinations  # model validator (functions/domain/settings.py)

# ---- pydantic fields only serialized (API responses, ASL documents) or read by the web app ----------
job_id  # BatchControlResponse and BatchJobCreated (functions/domain/control_schemas.py, schemas.py)
retried_video_ids  # functions/domain/control_schemas.py: the retry response
cancelled_video_ids  # functions/domain/control_schemas.py: the cancel response
execution_stopped  # functions/domain/control_schemas.py: the cancel response
removed_objects  # the delete response (functions/domain/control_schemas.py, services/batch_controls.py)
s3_uri  # functions/domain/drop_access.py: DropFolderAddress, shown by the web app's drop-folder panel
expired  # functions/domain/export_views.py: an export's state in the API
download_url  # functions/domain/export_views.py: an export's link in the API
hls_url  # functions/domain/export_views.py: an HLS export's playlist link in the API
probe_count  # functions/domain/models.py: Video, kept in the table
output_video_url  # BatchVideo and its API view (functions/domain/models.py, schemas.py)
connected_at  # functions/domain/models.py: Connection, kept in the table
max_concurrency  # functions/domain/pipeline_contract.py: read by the state machine's MaxConcurrencyPath
part_concurrency  # read by the state machine's MaxConcurrencyPath (functions/domain/pipeline_contract.py)
group_concurrency  # read by the state machine's MaxConcurrencyPath (functions/domain/pipeline_contract.py)
gate  # functions/domain/pipeline_contract.py: a state of the ASL document, written by the state machine
bookkeeping_error  # functions/domain/pipeline_contract.py: written by the state machine's Catch
currency  # functions/domain/pricing.py: the cost estimate in the API
prices_as_of  # functions/domain/pricing.py: the cost estimate in the API
current_video_id  # functions/domain/progress_events.py: a progress event's field
videos_truncated  # functions/domain/progress_events.py: a snapshot event's field
complete_url  # functions/domain/schemas.py: a multipart upload's links
abort_url  # functions/domain/schemas.py: a multipart upload's links
list_parts_url  # functions/domain/schemas.py: a multipart upload's links
upload_urls  # functions/domain/schemas.py: BatchJobCreated
batch_jobs  # functions/domain/schemas.py: the batch listing
language_detected  # functions/domain/stage_results.py: a transcript's result, kept in the table
segment_count  # functions/domain/stage_results.py: a transcript's result
word_count  # functions/domain/stage_results.py: a transcript's result
captions_note  # functions/domain/stage_results.py: an export's result, shown in the web app
videos_processed  # functions/domain/usage.py: the usage page
videos_completed  # functions/domain/usage.py: the usage page
videos_failed  # functions/domain/usage.py: the usage page
minutes_processed  # functions/domain/usage.py: the usage page
success_rate  # functions/domain/usage.py: the usage page
periods  # functions/domain/usage.py: the usage page
batches_created_last_hour  # functions/domain/usage.py: the plan card
batch_creations_left  # functions/domain/usage.py: the plan card

# ---- dataclass fields filled by keyword and read through asdict() ---------------------------------
control_function_arn  # functions/deployment.py: StateMachineSubstitutions.as_dict()
media_function_arn  # the same
transcribe_function_arn  # the same
worker_container_name  # StateMachineSubstitutions and ExportStateMachineSubstitutions .as_dict()
subnet_ids  # the same
security_group_ids  # the same
assign_public_ip  # the same
export_function_arn  # functions/deployment.py: ExportStateMachineSubstitutions.as_dict()
expiration  # reelflow/drop.py: CreatorCredentials, when the identity pool's credentials end

# ---- enum members that arrive as values (settings, requests), never named in code -----------------
ES  # functions/domain/enums.py: a transcription language
RU  # the same
DE  # the same
FR  # the same
SOFT  # functions/domain/enums.py: soft (muxed) captions

# ---- entry points and callbacks called by a framework ---------------------------------------------
domain_error  # functions/handlers/api.py: Powertools exception handler
already_in_progress  # functions/handlers/api.py: Powertools exception handler
validation_error  # functions/handlers/api.py: Powertools exception handler
unexpected  # functions/handlers/api.py: Powertools exception handler
get_batch  # functions/handlers/routes/batches.py: a Powertools route
get_drop_folder  # functions/handlers/routes/drop_folder.py: a Powertools route
opt_in  # functions/handlers/routes/notifications.py: a Powertools route
disconnect  # functions/handlers/websocket.py: the WebSocket $disconnect route
control_handler  # functions/handlers/pipeline.py: a Lambda entry point named in functions/deployment.py
media_handler  # the same
transcriber_handler  # the same (the Transcriber image's CMD)
_.try_bundle  # infra/bundling.py: jsii's ILocalBundling callback
_.add_subsegment  # functions/untraced.py: Powertools' BaseSegment interface, called by its Tracer
_.remove_subsegment  # the same
_.add_exception  # the same
_.put_annotation  # the same (BaseSegment and BaseProvider)
_.put_metadata  # the same
_.in_subsegment  # functions/untraced.py: Powertools' BaseProvider interface, called by its Tracer
_.in_subsegment_async  # the same
_.patch_all  # the same
end_time  # functions/untraced.py: a parameter of the interface, nothing to end
subsegment  # the same: nothing recorded
namespace  # the same
_.do_GET  # reelflow/ranged_server.py: http.server's handler method for a GET
_.log_message  # reelflow/ranged_server.py: http.server's request log, silenced
_.daemon_threads  # reelflow/ranged_server.py: socketserver's ThreadingMixIn setting
_.protocol_version  # reelflow/ranged_server.py: http.server reads it (one request per connection)

# ---- CDK: L1 properties set on escape hatches, and constructs kept on their parent ----------------
_.access_log_settings  # infra/api.py: CfnStage property
_.reserved_concurrent_executions  # infra/sweep.py: CfnFunction property
_.allowed_o_auth_flows  # infra/web.py: CfnUserPoolClient properties
_.allowed_o_auth_flows_user_pool_client  # the same
_.allowed_o_auth_scopes  # the same
_.callback_ur_ls  # the same
_.logout_ur_ls  # the same
_.supported_identity_providers  # the same
_.sweep_rule  # infra/drop_folder.py: an EventBridge rule, deployed by being made
_.ingest_rule  # infra/pipeline.py: the same
_.transcription_rule  # infra/pipeline.py: the same
_.executions_rule  # infra/pipeline.py: the same

# ---- local mode: moto, botocore, werkzeug and Lambda interfaces it fills or replaces ---------------
_._authenticate_and_authorize_action  # reelflow/local/access_control.py: replaces moto's access control
_.get_auth  # reelflow/local/access_control.py: botocore's signer, patched
_.session_token  # reelflow/local/access_control.py: moto's assumed-role session, read by its STS/IAM
_._server_entry  # reelflow/local/cloud.py: overrides moto's ThreadedMotoServer
_.exitCode  # reelflow/local/fargate.py: moto's ECS answers DescribeTasks with it
_.stopped_reason  # the same
_.desired_status  # the same
function_version  # reelflow/local/invoker.py: Lambda context attributes Powertools reads
log_group_name  # the same
log_stream_name  # the same
_._invoke_lambda  # reelflow/local/invoker.py: replaces moto's Lambda invoke
_.__getattr__  # the deferred moto.batch package's attribute hook (reelflow/local/lazy_moto.py)
_.get_body  # werkzeug's HTTPException interface, called when the error is answered (reelflow/local/local_store.py)
_.get_headers  # the same interface (reelflow/local/local_store.py)
_.tell  # the file interface moto reads stored bodies through (reelflow/local/local_store.py: StoredBody)
_.truncate  # the same file interface (StoredBody)
_._eval_service_task  # reelflow/local/patches/ecs_member_names.py: replaces moto's service-task step
_.exec_status  # reelflow/local/patches/moto_stop_fix.py: moto's execution attribute, set on a stop
_.jwk  # reelflow/local/patches/user_pool_key.py: replaces the joserfc module moto's user pool imports its key with

# ---- used only by tests (and docs): the tests' hooks into code they check -------------------------
management_endpoint  # functions/adapters/connection_notifier.py: tests/integration/test_connection_notifier.py
zip_size  # functions/adapters/zip_export.py: the size formula docs/exports.md states; test_export_zip.py
EXPORT_STATE_MACHINE_FUNCTIONS  # functions/deployment.py: tests/infra/test_deployment.py, test_local_deployment.py
STATE_MACHINE_FUNCTIONS  # the same
decode_event_key  # functions/domain/drop_folder.py: tests/unit/test_drop_folder.py
CONTROL_CONTRACTS  # functions/domain/pipeline_contract.py: tests/unit/test_asl_contract.py
media_contract  # the same
SCOPES  # the same
MAP_ITEMS  # the same
parse_event  # functions/domain/progress_events.py: the progress tests read frames with it
PROBE_STATE  # functions/domain/stage_plan.py: tests/unit/test_asl.py
asl_state  # the same
_.to_source  # functions/media/captions.py: tests/unit/test_captions.py (the inverse of to_edited)
chunk_boundaries  # functions/media/whisper.py: tests/unit/test_media_algorithms.py
wait_for_tasks  # reelflow/local/fargate.py: the tests wait for tasks with it
add_creator  # reelflow/local/identity_pool.py: tests/integration/test_drop_identity_local.py
sync_sample  # reelflow/local/samples.py: tests/conftest.py
wait_idle  # reelflow/local/stream_mapping.py: tests/integration/test_live_progress.py
_.runs  # reelflow/local/sweeper.py: the tests count a sweeper's runs
_.use_transcription_engine  # reelflow/local/cloud.py: tests/integration/test_transcribe_aws.py, test_local_iam.py run the `transcribe` deployment with it
