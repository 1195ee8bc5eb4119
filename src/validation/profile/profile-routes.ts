import type { MlflowEndpoint } from "../../server/mlflow-endpoint.js";
import type { ProfileAttachments } from "./profile-attachments.js";

/** data/profiles/*: Cairn's own API (below /api/2.0/cairn), thin translations to ProfileAttachments. */
export const profileRoutes = (service: ProfileAttachments): MlflowEndpoint[] => [
  {
    methods: ["POST"],
    path: "data/profiles/attach",
    handle: (fields, context) =>
      service.attachToRun(fields.requiredString("run_id"), fields.requiredString("name"), fields.rawValue("profile"), context),
  },
  {
    methods: ["GET"],
    path: "data/profiles/get",
    handle: async (fields) => ({ profile: await service.readRunProfile(fields.requiredString("run_id"), fields.requiredString("name")) }),
  },
  {
    methods: ["POST"],
    path: "data/profiles/set-training",
    handle: (fields, context) =>
      service.setTrainingProfile(
        fields.requiredString("name"),
        fields.requiredString("version"),
        fields.requiredString("profile_name"),
        fields.optionalText("run_id"),
        context,
      ),
  },
  {
    methods: ["GET"],
    path: "data/profiles/training",
    handle: async (fields) => ({ profile: await service.readTrainingProfile(fields.requiredString("name"), fields.requiredString("version")) }),
  },
];
