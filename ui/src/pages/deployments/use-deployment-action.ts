import { useMutation, useQueryClient } from "@tanstack/react-query";
import { deploymentKeys, runDeploymentAction, type DeploymentAction, type DeploymentWire } from "./deployment-wire";

/** Promote or roll back; the answer replaces the cached deployment, and what it changed is read again. */
export const useDeploymentAction = (name: string) => {
  const client = useQueryClient();
  return useMutation<DeploymentWire, Error, DeploymentAction>({
    mutationFn: (action) => runDeploymentAction(action, name),
    onSuccess: async (deployment) => {
      client.setQueryData(deploymentKeys.one(name), deployment);
      await Promise.all([
        client.invalidateQueries({ queryKey: deploymentKeys.history(name) }),
        client.invalidateQueries({ queryKey: deploymentKeys.list() }),
        // A promote or rollback ends the shadow or restarts its comparison.
        client.invalidateQueries({ queryKey: deploymentKeys.shadowReport(name) }),
        client.invalidateQueries({ queryKey: deploymentKeys.shadowReports(name) }),
      ]);
    },
  });
};
