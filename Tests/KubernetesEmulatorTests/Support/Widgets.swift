/// A CRD used by the kubectl tests: printer columns, a default, an enum, a required field, status.
let widgetCRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]}
      versions:
      - name: v1
        served: true
        storage: true
        subresources: {status: {}}
        additionalPrinterColumns:
        - {name: Size, type: integer, jsonPath: .spec.size}
        - {name: Color, type: string, jsonPath: .spec.color}
        - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
        - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
        schema:
          openAPIV3Schema:
            type: object
            description: A Widget is a test resource.
            properties:
              spec:
                type: object
                description: The desired widget.
                required: [size]
                properties:
                  size: {type: integer, minimum: 1, description: How big the widget is.}
                  color: {type: string, enum: [red, blue], default: red, description: The colour of the widget.}
              status:
                type: object
                properties:
                  conditions:
                    type: array
                    items: {type: object, x-kubernetes-preserve-unknown-fields: true}

    """

func widget(_ name: String, namespace: String = "default", size: Int, color: String? = nil) -> String {
    var spec = "size: \(size)"
    if let color { spec += ", color: \(color)" }
    return """
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: \(name), namespace: \(namespace)}
        spec: {\(spec)}

        """
}
