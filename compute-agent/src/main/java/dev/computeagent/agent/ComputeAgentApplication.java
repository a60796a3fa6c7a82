package dev.computeagent.agent;

import dev.computeagent.agent.jvm.JvmMemoryDefaults;
import dev.computeagent.agent.jvm.JvmRelaunch;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ApplicationListener;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The per-host compute agent. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class ComputeAgentApplication {

    public static void main(String[] args) {
        Optional<Integer> supervised = JvmRelaunch.superviseIfUnbounded(args);
        if (supervised.isPresent()) {
            System.exit(supervised.get());
        }
        JvmRelaunch.endWithSupervisor();
        // before anything is allocated; logged once logging is set up
        JvmMemoryDefaults.Applied memory = JvmMemoryDefaults.applyToThisJvm();
        SpringApplication agent = new SpringApplication(ComputeAgentApplication.class);
        agent.addListeners((ApplicationListener<ApplicationEnvironmentPreparedEvent>) prepared ->
                JvmMemoryDefaults.report(memory, LoggerFactory.getLogger(ComputeAgentApplication.class)));
        agent.run(args);
    }
}
