import { Button } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconPhoneCall } from "@tabler/icons-react";
import { useNavigate } from "react-router";
import { errorMessage } from "../../api/client";
import { useLogCustomerCall } from "../../api/customers";
import type { CustomerDetail } from "../../api/types";
import { CallForm } from "../../components/CallForm";

/** "Log call" on a profile: on one of the customer's open tickets, or a new phone ticket. */
export function LogCustomerCall({ customer }: { customer: CustomerDetail }) {
  const [opened, dialog] = useDisclosure(false);
  const log = useLogCustomerCall(customer.id);
  const navigate = useNavigate();
  const open = customer.tickets
    .filter((t) => t.status !== "closed")
    .map((t) => ({ id: t.id, label: `#${t.number} ${t.subject}` }));
  return (
    <>
      <Button variant="default" leftSection={<IconPhoneCall size={16} />} onClick={dialog.open}>
        Log call
      </Button>
      <CallForm
        opened={opened}
        onClose={dialog.close}
        tickets={open}
        pending={log.isPending}
        onSubmit={(call) =>
          log.mutate({ ...call, subject: call.subject ?? "" }, {
            onSuccess: (out) => {
              notifications.show({ color: "green", message: `Call logged on ticket #${out.ticket_id}` });
              dialog.close();
              if (!call.ticket_id) void navigate(`/tickets/${out.ticket_id}`);
            },
            onError: (err) => notifications.show({ color: "red", title: "Could not log the call", message: errorMessage(err) }),
          })
        }
      />
    </>
  );
}
